import { type ChatEvent, ChatlogError, type JsonObject, type RepositoryOptions } from "@chatlog/core";
import type { Dialect } from "./dialect.ts";
import type { Row, SqlExecutor } from "./executor.ts";
import { decodeRow } from "./row-codec.ts";
import type { Statements } from "./statement-names.ts";
import type { WriteQueue } from "./write-queue.ts";

/** What every domain of the repository shares: the database, its statements, the write queue. */
export interface RepositoryContext {
  readonly dialect: Dialect;
  readonly executor: SqlExecutor;
  readonly sql: Statements;
  readonly queue: WriteQueue;
  readonly options: RepositoryOptions;
  readonly onCorrupt: (error: ChatlogError) => void;
  /** Shared by every part: closing the repository closes them all. */
  readonly state: { closed: boolean };
}

/**
 * A domain of the repository (events, turns, saved sessions, maintenance): the shared context
 * under short names, and the checks and decoding every domain needs.
 */
export abstract class RepositoryPart {
  protected readonly dialect: Dialect;
  protected readonly executor: SqlExecutor;
  protected readonly sql: Statements;
  protected readonly queue: WriteQueue;
  protected readonly options: RepositoryOptions;
  protected readonly onCorrupt: (error: ChatlogError) => void;

  constructor(private readonly context: RepositoryContext) {
    ({
      dialect: this.dialect,
      executor: this.executor,
      sql: this.sql,
      queue: this.queue,
      options: this.options,
      onCorrupt: this.onCorrupt,
    } = context);
  }

  protected ensureOpen(): void {
    if (this.context.state.closed) throw new ChatlogError("CLOSED", "the repository is closed");
  }

  protected decodeAll(rows: Row[]): ChatEvent[] {
    return rows.map((row) => decodeRow(row, this.onCorrupt));
  }

  protected decodeFirst(rows: Row[]): ChatEvent | null {
    return rows[0] ? decodeRow(rows[0], this.onCorrupt) : null;
  }
}

/**
 * A stored millisecond time as a Date, or null when absent or not a time a Date can hold (a
 * damaged row must not produce an Invalid Date that throws a RangeError wherever it is printed).
 */
export function dateOf(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const ms = Number(value);
  return Number.isSafeInteger(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms) : null;
}

/** The reply attempt an event's extra names (absent means 1, the first reply). */
export function attemptOf(extra: JsonObject): number {
  const attempt = extra.attempt;
  if (attempt === undefined) return 1;
  if (typeof attempt !== "number" || !Number.isInteger(attempt) || attempt < 1) {
    throw new ChatlogError("INVALID_ARGUMENT", "extra.attempt must be a positive integer", {
      details: { field: "extra.attempt" },
    });
  }
  return attempt;
}
