import type { Job, JobOutcome, Row, SqlExecutor, Statement, Step, TransactionScope } from "@chatlog/sqlite";
import type Database from "better-sqlite3";

/**
 * Runs the shared SQL on one better-sqlite3 connection. Statements are prepared once and kept;
 * better-sqlite3 is synchronous, so the promises below are already settled when returned.
 */
export class BetterSqlite3Executor implements SqlExecutor {
  private readonly prepared = new Map<Statement, Database.Statement>();
  private readonly atomically: Database.Transaction<(job: Job) => Row[][]>;
  private readonly inOneTransaction: Database.Transaction<(jobs: readonly Job[]) => JobOutcome[]>;

  constructor(
    private readonly client: Database.Database,
    private readonly ownsClient = true,
  ) {
    // Nested better-sqlite3 transactions are savepoints: a failing job rolls back alone.
    this.atomically = client.transaction((job: Job) => job.map((step) => this.run(step)));
    this.inOneTransaction = client.transaction((jobs: readonly Job[]) =>
      jobs.map((job): JobOutcome => {
        try {
          // One statement is atomic by itself; only multi-statement jobs need a savepoint.
          return { ok: true, rows: job.length === 1 ? [this.run(job[0]!)] : this.atomically(job) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

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
      return Promise.resolve(this.inOneTransaction.immediate(jobs));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    this.client.exec("BEGIN IMMEDIATE");
    try {
      const result = await work({ all: (step) => this.all(step) });
      this.client.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.client.inTransaction) this.client.exec("ROLLBACK");
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.close();
  }

  private run(step: Step): Row[] {
    let stmt = this.prepared.get(step.statement);
    if (stmt === undefined) {
      stmt = this.client.prepare(step.statement.sql);
      this.prepared.set(step.statement, stmt);
    }
    // .all() (never .get()) on INSERT ... RETURNING: .get() leaves the statement unfinished,
    // which blocks WAL checkpoints.
    if (stmt.reader) return stmt.all(step.args) as Row[];
    stmt.run(step.args);
    return [];
  }
}
