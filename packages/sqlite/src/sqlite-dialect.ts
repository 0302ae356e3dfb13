import type { DatabasePragmas, Dialect, FailureKind, SqlExecutor } from "@chatlog/engine";
import { SQL } from "./statements.ts";
import { isBusyError, toChatlogError } from "./storage-error.ts";
import { vacuumDatabase } from "./vacuum.ts";

/** The error and the errors it wraps (a ChatlogError keeps the driver's error as its cause). */
function* causes(error: unknown): Generator<unknown> {
  for (let e = error, depth = 0; e !== null && e !== undefined && depth < 5; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

function classify(error: unknown): FailureKind | null {
  for (const e of causes(error)) {
    if (isBusyError(e)) return "busy";
    // By the words every SQLite binding (and sqld) reports, whatever its code field is called.
    if (/UNIQUE constraint/i.test(e instanceof Error ? e.message : String(e))) return "conflict";
  }
  return null;
}

async function pragmas(executor: SqlExecutor): Promise<DatabasePragmas> {
  const [row] = await executor.all({ statement: SQL.pragmas, args: {} });
  return {
    journalMode: String(row?.journal_mode),
    synchronous: Number(row?.synchronous),
    // An executor that waits for locks itself runs with SQLite's busy_timeout at 0.
    busyTimeout: executor.busyTimeoutMs ?? Number(row?.busy_timeout),
  };
}

/** SQLite, as better-sqlite3, libSQL's native binding and @libsql/client speak it. */
export const sqliteDialect: Dialect = {
  name: "sqlite",
  statements: SQL,
  classify,
  toChatlogError,
  vacuum: vacuumDatabase,
  pragmas,
};
