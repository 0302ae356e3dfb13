/** A value SQLite binds directly. */
export type SqlValue = string | number | null;
export type SqlArgs = Readonly<Record<string, SqlValue>>;
/** A result row keyed by column name (snake_case, as stored). */
export type Row = Readonly<Record<string, unknown>>;

/** One SQL statement with :named parameters; drivers may cache its prepared form. */
export interface Statement {
  readonly name: string;
  readonly sql: string;
  /**
   * The statement returns no data yet needs stepping until done (PRAGMA incremental_vacuum frees
   * one page per step). Bindings whose run() steps only once must run it with all().
   */
  readonly stepAll?: boolean;
  /**
   * A unique violation means the statement lost a race with an identical write from another
   * connection and did nothing: rerunning its job (in a new transaction) finds the stored row.
   * Executors of databases with concurrent writers (Postgres) rerun such a job a few times.
   */
  readonly rerunOnUniqueViolation?: boolean;
  /**
   * The same work for many jobs at once, for executors that can run it (Postgres: one `unnest`
   * statement per flush of the write queue). `statement` takes each of this statement's
   * parameters as an array (one element per job, in job order) and returns the rows of every job,
   * told apart by the `key` column (a job's rows are those whose `key` equals its `key` argument).
   * An executor runs the jobs one by one instead when the batch fails, so a duplicate or a lost
   * race inside a batch is handled exactly as alone.
   */
  readonly batch?: { readonly statement: Statement; readonly key: string };
}

export interface Step {
  readonly statement: Statement;
  readonly args: SqlArgs;
}

/** Steps that must commit together or not at all. */
export type Job = readonly Step[];

/** The rows of each step of a job, or the error that rolled the job back. */
export type JobOutcome = { ok: true; rows: Row[][] } | { ok: false; error: unknown };

/**
 * There is deliberately no interactive transaction: one connection serves every caller of a
 * repository, so a transaction left open across an await would take in whatever else runs
 * meanwhile (and a failure would roll that back too). Everything atomic is one job.
 *
 * What a driver provides to the shared repository: the only code that touches the database
 * client. Everything else, the SQL included, is shared.
 */
export interface SqlExecutor {
  /**
   * True when every call is a network round trip (a remote database): the repository then sends
   * the read a write may need (the stored duplicate) in the write's own request instead of
   * after it. Local executors leave it unset: a second local statement costs less than
   * turning a lone autocommit write into a transaction.
   */
  readonly remote?: boolean;
  /** Runs one statement on its own (autocommit); one round trip on a remote database. */
  all(step: Step): Promise<Row[]>;
  /**
   * Runs the jobs in one write transaction (one round trip remotely, when nothing fails). A job
   * that fails is rolled back and reported alone; the others commit.
   */
  runJobs(jobs: readonly Job[]): Promise<JobOutcome[]>;
  close(): Promise<void>;
  /**
   * Set by executors that wait for other connections' locks themselves (asynchronously) rather
   * than through SQLite's busy handler: the longest such wait, in ms.
   */
  readonly busyTimeoutMs?: number;
}
