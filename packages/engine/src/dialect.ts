import type { ChatlogError, VacuumResult } from "@chatlog/core";
import type { SqlExecutor } from "./executor.ts";
import type { Statements } from "./statement-names.ts";

/** What a driver failure means to chatlog, whichever database reported it. */
export type FailureKind =
  /** Another connection held a lock past the wait budget. */
  | "busy"
  /** A unique constraint refused the write (a duplicate id, seq or request id). */
  | "conflict"
  /** The database could not be reached, timed out, or dropped the connection. */
  | "unavailable";

/** The connection settings a repository reports (SQLite's pragmas; see DatabaseSettings). */
export interface DatabasePragmas {
  journalMode: string;
  synchronous: number;
  busyTimeout: number;
}

/**
 * One SQL dialect: everything the engine needs from a database family besides an executor. A
 * new dialect is one statements file, one executor and one of these (plus a driver that opens
 * connections and runs migrations).
 */
export interface Dialect {
  /** e.g. "sqlite", "postgres". */
  readonly name: string;
  readonly statements: Statements;
  /** The kind of a driver error (looked up on the error and its causes), or null for any other. */
  classify(error: unknown): FailureKind | null;
  /** A driver error as a one-line ChatlogError naming `location` (a file or server). */
  toChatlogError(error: unknown, location?: string): ChatlogError;
  /** Gives free space back (SQLite: VACUUM; Postgres: VACUUM ANALYZE), never blocking writers long. */
  vacuum(executor: SqlExecutor): Promise<VacuumResult>;
  /** SQLite's pragmas; absent in dialects without them. */
  pragmas?(executor: SqlExecutor): Promise<DatabasePragmas>;
}
