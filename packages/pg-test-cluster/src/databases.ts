import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestDatabase {
  /** Connection URL of the new database (the server's URL with its name). */
  url: string;
  name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Every database the tests create starts with this, so one is never mistaken for a user's. */
export const TEST_DATABASE_PREFIX = "chatlog_test_";

/**
 * Creates a new, empty database on the server `serverUrl` names (any database on it that the
 * user can connect to; the user needs CREATEDB). Names are unique per call, so test files and
 * processes sharing one server never meet.
 */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${randomBytes(6).toString("hex")}`;
  await runStatement(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE (Postgres 13+): a connection a test leaked must not keep its database alive.
      await runStatement(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * Runs one statement on its own short-lived connection to `url` (CREATE/DROP DATABASE cannot
 * share a transaction; a test sets a database up outside the code under test).
 */
export async function runStatement(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  // A socket error while idle (the server stopping) would otherwise be uncaught; the statement
  // itself still rejects with its error.
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
