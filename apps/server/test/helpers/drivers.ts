import { postgresAvailable } from "@chatlog/pg-test-cluster";
import { testDatabase } from "@chatlog/pg-test-cluster/vitest";
import { PostgresRaw } from "./postgres-db.ts";
import type { RawDatabase } from "./raw-db.ts";

/** A driver configuration server tests run on (each test on a fresh database). */
export interface DriverCase {
  name: string;
  env(file: string): Record<string, string>;
  /**
   * Configurations whose database is not a file (Postgres): makes a new one for a test, with
   * the environment that points the server at it and direct access to check what it stores.
   */
  database?(): Promise<{
    env: Record<string, string>;
    url: string;
    raw: RawDatabase;
    dispose(): Promise<void>;
  }>;
}

export const BETTER_SQLITE3: DriverCase = {
  name: "better-sqlite3 file",
  env: (file) => ({ DATABASE_URL: `file:${file}` }),
};

export const LIBSQL: DriverCase = {
  name: "libsql file",
  env: (file) => ({ DATABASE_URL: `file:${file}`, CHATLOG_DRIVER: "libsql" }),
};

/** The two file configurations every server test runs on. */
export const DRIVERS: DriverCase[] = [BETTER_SQLITE3, LIBSQL];

export const POSTGRES: DriverCase = {
  name: "postgres",
  env: () => {
    throw new Error("the postgres case has no file; use database()");
  },
  async database() {
    const raw = new PostgresRaw(await testDatabase());
    return {
      env: { DATABASE_URL: raw.database.url },
      url: raw.database.url,
      raw,
      dispose: () => raw.dispose(),
    };
  },
};

/** The turn tests (/v1 and /api/chat) also run on Postgres wherever it is available (always in CI). */
export const TURN_DRIVERS: DriverCase[] = [...DRIVERS, ...(postgresAvailable() ? [POSTGRES] : [])];
