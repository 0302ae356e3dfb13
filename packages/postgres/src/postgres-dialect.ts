import type { VacuumResult } from "@chatlog/core";
import type { Dialect, SqlExecutor } from "@chatlog/engine";
import { classifyPostgresError, toPostgresChatlogError } from "./postgres-errors.ts";
import { SQL } from "./statements.ts";

async function databaseBytes(executor: SqlExecutor): Promise<number> {
  const [row] = await executor.all({ statement: SQL.databaseBytes, args: {} });
  return Number(row?.bytes ?? 0);
}

/**
 * Postgres's vacuum: a plain VACUUM (ANALYZE) of chatlog's tables, which marks dead rows' space
 * reusable and refreshes the planner's statistics without locking out readers or writers (a
 * VACUUM FULL would lock the tables while it rewrites them, so chatlog never runs one). The
 * files seldom shrink: `full` is always false, and the sizes say what the database takes.
 */
async function vacuumPostgres(executor: SqlExecutor): Promise<VacuumResult> {
  const bytesBefore = await databaseBytes(executor);
  await executor.all({ statement: SQL.vacuumAnalyze, args: {} });
  return { full: false, bytesBefore, bytesAfter: await databaseBytes(executor) };
}

/** Postgres 13+ through node-postgres. */
export const postgresDialect: Dialect = {
  name: "postgres",
  statements: SQL,
  classify: classifyPostgresError,
  toChatlogError: toPostgresChatlogError,
  vacuum: vacuumPostgres,
};
