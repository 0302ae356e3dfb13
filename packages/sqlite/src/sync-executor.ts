import type {
  Job,
  JobOutcome,
  Row,
  SqlArgs,
  SqlExecutor,
  Statement,
  Step,
  TransactionScope,
} from "./executor.ts";

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

/**
 * Runs the shared SQL on one synchronous connection (better-sqlite3, or libSQL's native binding
 * for local files). Statements are prepared once and kept; the returned promises are already
 * settled, since the work is done before they are created.
 */
export class SyncExecutor implements SqlExecutor {
  private readonly prepared = new Map<Statement, SyncStatement>();

  constructor(
    private readonly db: SyncDatabase,
    private readonly ownsDatabase = true,
  ) {}

  all(step: Step): Promise<Row[]> {
    try {
      return Promise.resolve(this.run(step));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  runJobs(jobs: readonly Job[]): Promise<JobOutcome[]> {
    try {
      // IMMEDIATE takes the write lock up front, so the busy timeout applies instead of a
      // read-to-write upgrade failing when another process wrote in between.
      this.run({ statement: BEGIN, args: NO_ARGS });
      const outcomes = jobs.map((job) => this.runJob(job));
      this.run({ statement: COMMIT, args: NO_ARGS });
      return Promise.resolve(outcomes);
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      return Promise.reject(error);
    }
  }

  async transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = await work({ all: (step) => this.all(step) });
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDatabase) this.db.close();
  }

  /** One job inside the open transaction; a failing job is undone alone. */
  private runJob(job: Job): JobOutcome {
    if (job.length === 1) {
      // One statement is atomic by itself: a failure leaves nothing of it behind.
      try {
        return { ok: true, rows: [this.run(job[0]!)] };
      } catch (error) {
        return { ok: false, error };
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
      return { ok: false, error };
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
    stmt.run(step.args);
    return [];
  }
}
