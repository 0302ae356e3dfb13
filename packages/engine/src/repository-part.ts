import {
  assertId,
  type ChatEvent,
  ChatlogError,
  type JsonObject,
  type RepositoryOptions,
} from "@chatlog/core";
import type { Dialect } from "./dialect.ts";
import type { Row, SqlExecutor, Statement, Step } from "./executor.ts";
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
  /** The user a forOwner repository acts as; null for the administrator's. */
  readonly ownerId: string | null;
  /** A forOwner repository's root's state: closing the root ends every view of it. */
  readonly rootState: { closed: boolean } | null;
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
  protected readonly ownerId: string | null;

  constructor(private readonly context: RepositoryContext) {
    this.ownerId = context.ownerId;
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
    if (this.context.state.closed || this.context.rootState?.closed) {
      throw new ChatlogError("CLOSED", "the repository is closed");
    }
  }

  /** Calls that span every user's data belong to the unscoped repository. */
  protected ensureAdmin(method: string): void {
    this.ensureOpen();
    if (this.ownerId !== null) throw adminOnly(method);
  }

  /**
   * A statement with this repository's :owner_id bound: the one place ownership enters the SQL.
   * Bound only where the statement names it, so a remote server never sees a stray parameter.
   */
  private withOwner(step: Step): Step {
    if (!namesOwner(step.statement)) return step;
    return { statement: step.statement, args: { ...step.args, owner_id: this.ownerId } };
  }

  protected read(step: Step): Promise<Row[]> {
    return this.executor.all(this.withOwner(step));
  }

  protected write(job: Step[]): Promise<Row[][]> {
    return this.queue.submit(job.map((step) => this.withOwner(step)));
  }

  /**
   * A write into one conversation. Acting as a user, the job first (with `create`) makes a new
   * conversation this user's, then checks in the same transaction whether it is someone else's;
   * the job's own statements carry the ownership condition, so against another user's
   * conversation they change nothing, and the caller gets NOT_OWNER. Returns the rows of `job`'s
   * own steps.
   */
  protected async writeTo(
    conversationId: string,
    job: Step[],
    opts: { create?: boolean } = {},
  ): Promise<Row[][]> {
    if (this.ownerId === null) return this.write(job);
    assertId(conversationId, "conversationId");
    const args = { conversation_id: conversationId, now_ms: Date.now() };
    // The claim first: where writers run side by side (Postgres), a racing claim waits for the
    // first one to commit, and the check after it then sees who won.
    const prefix: Step[] = opts.create ? [{ statement: this.sql.claimConversation, args }] : [];
    prefix.push({ statement: this.sql.foreignConversation, args });
    const results = await this.write([...prefix, ...job]);
    if ((results[prefix.length - 1]?.length ?? 0) > 0) {
      throw new ChatlogError(
        "NOT_OWNER",
        `conversation ${conversationId} belongs to another user; nothing was written`,
        {
          details: { conversationId },
        },
      );
    }
    return results.slice(prefix.length);
  }

  protected decodeAll(rows: Row[]): ChatEvent[] {
    return rows.map((row) => decodeRow(row, this.onCorrupt));
  }

  protected decodeFirst(rows: Row[]): ChatEvent | null {
    return rows[0] ? decodeRow(rows[0], this.onCorrupt) : null;
  }
}

const ownerParameter = new WeakMap<Statement, boolean>();

function namesOwner(statement: Statement): boolean {
  let names = ownerParameter.get(statement);
  if (names === undefined) {
    names = /:owner_id\b/.test(statement.sql);
    ownerParameter.set(statement, names);
  }
  return names;
}

export function adminOnly(what: string): ChatlogError {
  return new ChatlogError(
    "ADMIN_ONLY",
    `${what} needs the unscoped (administrator's) repository, not forOwner`,
  );
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
