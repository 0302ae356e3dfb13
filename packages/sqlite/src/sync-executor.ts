import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Job, JobOutcome, Row, SqlArgs, SqlExecutor, Statement, Step } from "@chatlog/engine";
import { type BackgroundCheckpointer, SAFETY_NET_CHECKPOINT_PAGES } from "./background-checkpoint.ts";
import { isBusyError, toChatlogError } from "./storage-error.ts";

/** The synchronous statement API shared by better-sqlite3 and libSQL's native binding (`libsql`). */
export interface SyncStatement {
  readonly reader: boolean;
  /** True for a statement that changes nothing (better-sqlite3 tells; libSQL's binding does not). */
  readonly readonly?: boolean;
  all(params: SqlArgs): unknown[];
  run(params: SqlArgs): unknown;
}

export interface SyncDatabase {
  prepare(sql: string): SyncStatement;
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
  close(): unknown;
}

const BEGIN: Statement = { name: "begin", sql: "BEGIN IMMEDIATE" };
const COMMIT: Statement = { name: "commit", sql: "COMMIT" };
const NO_ARGS: SqlArgs = {};

/** Longest pause between two attempts to take a lock another connection holds. */
const MAX_RETRY_PAUSE_MS = 16;

/**
 * Runs the shared SQL on one synchronous connection (better-sqlite3, or libSQL's native binding
 * for local files). Statements are prepared once and kept. When nothing waits, the returned
 * promises are already settled: the work is done before they are created.
 *
 * Lock waits never block the event loop. SQLite's own busy handler sleeps inside the call, which
 * on a synchronous binding freezes the whole process (every stream, every health check) for as
 * long as another process holds the write lock. So the connection's busy_timeout is set to 0 and
 * its value becomes this executor's budget instead: a statement or transaction that finds the
 * database locked fails at once, having done nothing, and is retried after an asynchronous pause
 * (1 ms, doubling up to 16 ms) until the budget is spent, then fails with BUSY. No transaction is
 * ever open across a pause or any other await, so nothing else on this connection can run inside
 * one.
 */
export class SyncExecutor implements SqlExecutor {
  private readonly prepared = new Map<Statement, SyncStatement>();
  /** Whether this binding's all() runs statements that return no data (see run). */
  private allRunsWriters: boolean | undefined;
  /** How long a call waits, asynchronously, for another connection's lock. */
  readonly busyTimeoutMs: number;

  constructor(
    private readonly db: SyncDatabase,
    private readonly ownsDatabase = true,
    /** The database file, named in every error this executor reports. */
    private readonly location?: string,
    /** Checkpoints the WAL off this thread (see background-checkpoint.ts); needs `readonly`. */
    private readonly checkpointer?: BackgroundCheckpointer,
  ) {
    const [row] = db.prepare("PRAGMA busy_timeout").all({}) as { timeout?: unknown }[];
    this.busyTimeoutMs = Number(row?.timeout ?? 0);
    db.exec("PRAGMA busy_timeout = 0");
    if (checkpointer !== undefined) db.exec(`PRAGMA wal_autocheckpoint = ${SAFETY_NET_CHECKPOINT_PAGES}`);
  }

  all(step: Step): Promise<Row[]> {
    return this.attempt(() => this.run(step));
  }

  runJobs(jobs: readonly Job[]): Promise<JobOutcome[]> {
    return this.attempt(() => this.runJobsNow(jobs));
  }

  /** Resolves once no background checkpoint is running (at once without a checkpointer). */
  checkpointsIdle(): Promise<void> {
    return this.checkpointer?.idle() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    // The worker's connection closes first, so the writer's is the last one and SQLite's
    // close-time checkpoint (which folds the WAL away) runs there, as without a worker.
    await this.checkpointer?.close();
    if (this.ownsDatabase) this.db.close();
  }

  /**
   * Runs `work` now; if the database is locked, retries it asynchronously within the budget.
   * Failures come out as ChatlogErrors naming the database.
   */
  private attempt<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      if (!isBusyError(error) || this.busyTimeoutMs <= 0) return Promise.reject(this.typed(error));
      return this.retry(work, error).catch((e: unknown) => Promise.reject(this.typed(e)));
    }
  }

  private typed(error: unknown) {
    return toChatlogError(error, this.location);
  }

  private async retry<T>(work: () => T, first: unknown): Promise<T> {
    const deadline = performance.now() + this.busyTimeoutMs;
    let pause = 1;
    let last = first;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) throw last;
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, MAX_RETRY_PAUSE_MS);
      try {
        return work();
      } catch (error) {
        if (!isBusyError(error)) throw error;
        last = error;
      }
    }
  }

  private runJobsNow(jobs: readonly Job[]): JobOutcome[] {
    try {
      // IMMEDIATE takes the write lock up front: it either fails at once (locked: retried by
      // attempt) or holds the lock to the COMMIT, so no read-to-write upgrade can fail midway.
      this.run({ statement: BEGIN, args: NO_ARGS });
      const outcomes = jobs.map((job) => this.runJob(job));
      this.run({ statement: COMMIT, args: NO_ARGS });
      this.checkpointer?.noteCommit();
      return outcomes;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  /** One job inside the open transaction; a failing job is undone alone. */
  private runJob(job: Job): JobOutcome {
    if (job.length === 1) {
      // One statement is atomic by itself: a failure leaves nothing of it behind.
      try {
        return { ok: true, rows: [this.run(job[0]!)] };
      } catch (error) {
        return { ok: false, error: this.typed(error) };
      }
    }
    this.db.exec("SAVEPOINT chatlog_job");
    try {
      const rows = job.map((step) => this.run(step));
      this.db.exec("RELEASE chatlog_job");
      return { ok: true, rows };
    } catch (error) {
      this.db.exec("ROLLBACK TO chatlog_job");
      this.db.exec("RELEASE chatlog_job");
      return { ok: false, error: this.typed(error) };
    }
  }

  private run(step: Step): Row[] {
    let stmt = this.prepared.get(step.statement);
    if (stmt === undefined) {
      stmt = this.db.prepare(step.statement.sql);
      this.prepared.set(step.statement, stmt);
    }
    const rows = this.step(stmt, step);
    // A write outside a transaction has just committed. (SQLite counts COMMIT itself as
    // read-only: runJobsNow notes those.)
    if (this.checkpointer !== undefined && stmt.readonly !== true && !this.db.inTransaction) {
      this.checkpointer.noteCommit();
    }
    return rows;
  }

  private step(stmt: SyncStatement, step: Step): Row[] {
    // .all() (never .get()) on INSERT ... RETURNING: .get() leaves the statement unfinished,
    // which blocks WAL checkpoints.
    if (stmt.reader) return stmt.all(step.args) as Row[];
    if (step.statement.stepAll && this.allRunsWriters !== false) {
      // libSQL's run() steps once, leaving such a statement unfinished (and every later COMMIT
      // failing); its all() steps to the end. better-sqlite3's run() finishes and its all()
      // refuses a statement without data, which tells the two apart.
      try {
        stmt.all(step.args);
        this.allRunsWriters = true;
        return [];
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        this.allRunsWriters = false;
      }
    }
    stmt.run(step.args);
    return [];
  }
}
