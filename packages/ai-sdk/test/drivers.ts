import { fileURLToPath } from "node:url";
import { openChatRepository as openBetterSqlite3 } from "@chatlog/better-sqlite3";
import { type DriverHarness, fileHarness, type Opened } from "@chatlog/conformance";
import { openChatRepository as openLibsql } from "@chatlog/libsql";
import { postgresAvailable } from "@chatlog/pg-test-cluster";
import { afterEach } from "vitest";
import { postgresUrl } from "../../postgres/test/harnesses.ts";

/**
 * Every driver: both SQLite ones, each on a real database file of its own per test, and Postgres
 * (a new database per test on the run's throwaway cluster, or CHATLOG_TEST_POSTGRES_URL's server)
 * wherever it is available, which CI requires.
 */
export const drivers: DriverHarness[] = [
  fileHarness({
    name: "better-sqlite3 file",
    driver: "better-sqlite3",
    entry: fileURLToPath(new URL("../../better-sqlite3/src/index.ts", import.meta.url)),
    open: (path, options) => openBetterSqlite3({ ...options, path }),
  }),
  fileHarness({
    name: "libsql file",
    driver: "libsql",
    entry: fileURLToPath(new URL("../../libsql/src/index.ts", import.meta.url)),
    open: (file, options) => openLibsql({ ...options, url: `file:${file}` }),
  }),
  ...(postgresAvailable() ? [postgresUrl] : []),
];

/** Opens a fresh database for the current test and disposes of it afterwards. */
export function useDatabase(driver: DriverHarness): () => Promise<Opened> {
  const opened: Opened[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.dispose()));
  });
  return async () => {
    const db = await driver.create();
    opened.push(db);
    return db;
  };
}
