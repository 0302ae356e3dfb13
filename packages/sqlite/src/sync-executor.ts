import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Job, JobOutcome, Row, SqlArgs, SqlExecutor, Statement, Step } from "@chatlog/engine";
import { isBusyError, toChatlogError } from "./storage-error.ts";

/** The synchronous statement API shared by better-sqlite3 and libSQL's native binding (`libsql`). */
export interface SyncStatement {
  readonly reader: boolean;
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
  ) {
    const [row] = db.prepare("PRAGMA busy_timeout").all({}) as { timeout?: unknown }[];
    this.busyTimeoutMs = Number(row?.timeout ?? 0);
    db.exec("PRAGMA busy_timeout = 0");
  }

  all(step: Step): Promise<Row[]> {
    return this.attempt(() => this.run(step));
  }

  runJobs(jobs: readonly Job[]): Promise<JobOutcome[]> {
    return this.attempt(() => this.runJobsNow(jobs));
  }

  async close(): Promise<void> {
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
