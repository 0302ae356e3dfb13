import { type PostgresCluster, startPostgresCluster } from "./cluster.ts";

/** Names an existing Postgres server the tests use instead of starting their own cluster. */
export const TEST_SERVER_ENV = "CHATLOG_TEST_POSTGRES_URL";

export interface TestServer {
  url: string;
  /** Stops the cluster if this process started it; an existing server is left alone. */
  stop(): void;
}

/**
 * The server tests create their databases on: the one CHATLOG_TEST_POSTGRES_URL names (the user
 * needs CREATEDB; only databases named chatlog_test_* are ever created or dropped there), or
 * else a throwaway cluster started now.
 */
export async function testServer(): Promise<TestServer> {
  const existing = process.env[TEST_SERVER_ENV];
  if (existing) return { url: existing, stop() {} };
  const cluster: PostgresCluster = await startPostgresCluster();
  return { url: cluster.url, stop: () => cluster.stop() };
}

let shared: Promise<TestServer> | undefined;

/**
 * The server of this test run: the URL the vitest global setup provided (through the
 * environment), or else one cluster started lazily for this process and stopped when it exits.
 */
export function sharedTestServerUrl(): Promise<string> {
  shared ??= testServer();
  return shared.then((server) => server.url);
}
