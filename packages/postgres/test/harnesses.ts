import { fileURLToPath } from "node:url";
import { type DriverHarness, type Opened, rawPostgres } from "@chatlog/conformance";
import type { RepositoryOptions } from "@chatlog/core";
import { testDatabase } from "@chatlog/pg-test-cluster/vitest";
import pg from "pg";
import { openChatRepository } from "../src/index.ts";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));

type Open = (url: string, options: RepositoryOptions) => ReturnType<typeof openChatRepository>;

/**
 * A Postgres configuration: every create() makes a new database on the run's server (the test
 * cluster, or CHATLOG_TEST_POSTGRES_URL's) and drops it on dispose; `file` is its URL, which
 * reopen() and child processes connect to; `raw` is a connection of its own.
 */
function postgresHarness(name: string, open: Open): DriverHarness {
  async function opened(
    url: string,
    options: RepositoryOptions,
    drop?: () => Promise<void>,
  ): Promise<Opened> {
    const repo = await open(url, options);
    const raw = rawPostgres(url);
    return {
      repo,
      raw,
      file: url,
      async dispose() {
        await repo.close();
        await raw.close();
        await drop?.();
      },
    };
  }
  return {
    name,
    driver: "postgres",
    dialect: "postgres",
    entry,
    file: true,
    async blank() {
      const db = await testDatabase();
      return { location: db.url, raw: () => rawPostgres(db.url), remove: db.drop };
    },
    async create(options = {}) {
      const db = await testDatabase();
      try {
        return await opened(db.url, options, db.drop);
      } catch (error) {
        await db.drop();
        throw error;
      }
    },
    reopen: (url, options = {}) => opened(url, options),
  };
}

/** chatlog's own pool, from a connection string. */
export const postgresUrl = postgresHarness("postgres connectionString", (connectionString, options) =>
  openChatRepository({ ...options, connectionString }),
);

/**
 * An application's pool (with node-postgres's default parsers, which return int8 as strings and
 * parse json): chatlog must read the same values through it.
 */
export const postgresPool = postgresHarness("postgres pool", async (connectionString, options) => {
  const pool = new pg.Pool({ connectionString, max: 4 });
  pool.on("error", () => {});
  const repo = await openChatRepository({ ...options, pool });
  const close = repo.close.bind(repo);
  let ended: Promise<void> | undefined;
  // The repository leaves an application's pool open; the test's owner ends it, once.
  repo.close = () => {
    ended ??= close().then(() => pool.end());
    return ended;
  };
  return repo;
});
