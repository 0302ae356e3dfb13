// What the global setup (vitest-setup.ts) hands to the tests through vitest's provide/inject.
declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the Postgres server this test run creates its databases on. */
    chatlogPostgresUrl: string;
  }
}

export {};
