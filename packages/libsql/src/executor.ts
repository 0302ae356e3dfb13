import type { Job, JobOutcome, Row, SqlExecutor, Step, TransactionScope } from "@chatlog/sqlite";
import type { Client, InStatement } from "@libsql/client";

const toStatement = (step: Step): InStatement => ({ sql: step.statement.sql, args: step.args });

/**
 * Runs the shared SQL through @libsql/client. Each call is one request: `execute` for a single
 * statement, `batch` (a transaction on the server) for several, so a remote append is one
 * round trip.
 */
export class LibsqlExecutor implements SqlExecutor {
  constructor(
    private readonly client: Client,
    private readonly ownsClient = true,
    /** Whether the client talks to a server (each call a round trip) rather than a local file. */
    readonly remote = false,
  ) {}

  async all(step: Step): Promise<Row[]> {
    const result = await this.client.execute(toStatement(step));
    return result.rows as unknown as Row[];
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
      if (jobs.length === 1) return [{ ok: false, error }];
      // A batch is all or nothing; find the failing job by running each on its own.
      const outcomes: JobOutcome[] = [];
      for (const job of jobs) outcomes.push(...(await this.runJobs([job])));
      return outcomes;
    }
  }

  async transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const tx = await this.client.transaction("write");
    try {
      const result = await work({
        all: async (step) => (await tx.execute(toStatement(step))).rows as unknown as Row[],
      });
      await tx.commit();
      return result;
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    } finally {
      tx.close();
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.close();
  }
}
