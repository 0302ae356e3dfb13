import { ChatlogError, type RepositoryOptions } from "@chatlog/core";
import { assertKnownOptions, EngineChatRepository } from "@chatlog/engine";
import pg from "pg";
import { migratePostgres } from "./migrate.ts";
import { postgresDialect } from "./postgres-dialect.ts";
import { redactedLocation, toPostgresChatlogError } from "./postgres-errors.ts";
import { PostgresExecutor } from "./postgres-executor.ts";

export interface PostgresRepositoryOptions extends RepositoryOptions {
  /** A `postgres://` or `postgresql://` URL; chatlog opens (and on close() ends) its own pool. */
  connectionString?: string;
  /**
   * An existing node-postgres Pool to use instead of `connectionString`. The caller keeps
   * ownership: close() leaves it open. chatlog's queries set their own type parsers, so the
   * pool's settings for int8 or json do not change what chatlog reads.
   */
  pool?: pg.Pool;
  /** Connections in chatlog's own pool (default 10); not with `pool` (size that one yourself). */
  poolSize?: number;
}

const DRIVER_KEYS = ["connectionString", "pool", "poolSize"] as const;

function ownPool(options: PostgresRepositoryOptions): pg.Pool {
  const { connectionString, poolSize } = options;
  if (typeof connectionString !== "string" || !/^postgres(ql)?:\/\//.test(connectionString)) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "connectionString must be a postgres:// or postgresql:// URL, or pass pool",
      { details: { field: "connectionString" } },
    );
  }
  // allowExitOnIdle: an open repository never keeps a process alive on its own (SPEC 6).
  const pool = new pg.Pool({ connectionString, max: poolSize ?? 10, allowExitOnIdle: true });
  // An idle connection the server drops (a restart) must not crash the process: the pool
  // replaces it, and the next query reports UNAVAILABLE if the server is really gone.
  pool.on("error", () => {});
  return pool;
}

/** Opens (and by default migrates) a chatlog database on Postgres. */
export async function openChatRepository(options: PostgresRepositoryOptions): Promise<EngineChatRepository> {
  assertKnownOptions(options, DRIVER_KEYS);
  if (options.pool !== undefined && options.connectionString !== undefined) {
    throw new ChatlogError("INVALID_ARGUMENT", "pass either connectionString or pool, not both");
  }
  const { poolSize } = options;
  if (poolSize !== undefined && (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000)) {
    throw new ChatlogError("INVALID_ARGUMENT", "poolSize must be an integer from 1 to 1000", {
      details: { field: "poolSize" },
    });
  }
  if (options.pool !== undefined && poolSize !== undefined) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "poolSize sizes chatlog's own pool: set max on your pool instead",
      {
        details: { field: "poolSize" },
      },
    );
  }
  if (options.pool !== undefined && !(options.pool instanceof pg.Pool)) {
    throw new ChatlogError("INVALID_ARGUMENT", "pool must be a node-postgres (pg) Pool", {
      details: { field: "pool" },
    });
  }
  const owned = options.pool === undefined;
  const pool = options.pool ?? ownPool(options);
  const { connectionString, host, port, database } = pool.options;
  const location = redactedLocation(
    options.connectionString ??
      connectionString ??
      `postgres://${host ?? "localhost"}${port === undefined ? "" : `:${port}`}/${database ?? ""}`,
  );
  try {
    if (options.migrate !== false) await migratePostgres(pool);
    else await pool.query("SELECT 1");
    return new EngineChatRepository(postgresDialect, new PostgresExecutor(pool, owned, location), options);
  } catch (error) {
    if (owned) await pool.end().catch(() => undefined);
    throw toPostgresChatlogError(error, location);
  }
}
