import type { Job, JobOutcome, Row, SqlExecutor, Step } from "@chatlog/engine";
import type { Client, InStatement } from "@libsql/client";
import { authError, unavailableError } from "./remote-errors.ts";

const toStatement = (step: Step): InStatement => ({ sql: step.statement.sql, args: step.args });

/** Where a remote client points, for its error messages. */
export interface RemoteTarget {
  url: string;
  /** The per-request timeout the client was given (named in timeout errors). */
  requestTimeoutMs?: number;
}

/**
 * Runs the shared SQL through @libsql/client. Each call is one request: `execute` for a single
 * statement, `batch` (a transaction on the server) for several, so a remote append is one
 * round trip. On a remote database a failure of the server or the network becomes one
 * UNAVAILABLE ChatlogError naming the URL and the cause.
 */
export class LibsqlExecutor implements SqlExecutor {
  readonly remote: boolean;

  constructor(
    private readonly client: Client,
    private readonly ownsClient = true,
    private readonly target?: RemoteTarget,
  ) {
    this.remote = target !== undefined;
  }

  async all(step: Step): Promise<Row[]> {
    try {
      const result = await this.client.execute(toStatement(step));
      return result.rows as unknown as Row[];
    } catch (error) {
      throw this.remoteFailure(error) ?? error;
    }
  }

  async runJobs(jobs: readonly Job[]): Promise<JobOutcome[]> {
    try {
      const results = await this.client.batch(jobs.flat().map(toStatement), "write");
      let next = 0;
      return jobs.map((job) => ({
        ok: true,
        rows: job.map(() => results[next++]!.rows as unknown as Row[]),
      }));
    } catch (error) {
      // The server or the network failed, not a job: every job shares that fate, and rerunning
      // them one by one would only repeat the failure (or the timeout) once per job.
      const unavailable = this.remoteFailure(error);
      if (unavailable !== null) throw unavailable;
      if (jobs.length === 1) return [{ ok: false, error }];
      // A batch is all or nothing; find the failing job by running each on its own.
      const outcomes: JobOutcome[] = [];
      for (const job of jobs) outcomes.push(...(await this.runJobs([job])));
      return outcomes;
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.close();
  }

  private remoteFailure(error: unknown) {
    if (this.target === undefined) return null;
    return (
      unavailableError(this.target.url, error, this.target.requestTimeoutMs) ??
      authError(this.target.url, error)
    );
  }
}
