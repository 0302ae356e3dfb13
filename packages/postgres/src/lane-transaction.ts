import type { Job, JobOutcome, Row } from "@chatlog/engine";
import type pg from "pg";
import { batchOf } from "./flush-plan.ts";
import { batchOutcomes, type PreparedStatements } from "./prepared-statements.ts";

/** Reruns of a job that lost a race; each loss means another connection's write committed. */
export const MAX_RERUNS = 5;

/** Whether a job failed only because one of its statements lost a race (a unique violation). */
export function lostRace(job: Job, error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === "23505" && job.some((step) => step.statement.rerunOnUniqueViolation === true);
}

export interface LaneContext {
  readonly prepared: PreparedStatements;
  /** A driver error as the ChatlogError a job's promise rejects with. */
  toError(error: unknown): unknown;
}

/**
 * Runs one conversation's jobs of a flush in call order inside the transaction open on `client`,
 * each under a savepoint, so a job that fails is rolled back alone and the others go on (as
 * SQLite's savepoint per job does); the caller commits them together. A run of single appends
 * goes out as one batch statement, or one by one if that fails. Throws only when the transaction
 * itself is lost (a savepoint cannot be rolled back): then nothing of it commits.
 */
export async function runLaneJobs(
  client: pg.ClientBase,
  jobs: readonly Job[],
  context: LaneContext,
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  for (let start = 0; start < jobs.length; ) {
    const batch = batchOf(jobs[start]!);
    let end = start + 1;
    if (batch !== undefined) while (end < jobs.length && batchOf(jobs[end]!) === batch) end++;
    const run = jobs.slice(start, end);
    if (run.length > 1) outcomes.push(...(await batchInTransaction(client, run, context)));
    else outcomes.push(await jobInTransaction(client, run[0]!, context));
    start = end;
  }
  return outcomes;
}

async function batchInTransaction(
  client: pg.ClientBase,
  jobs: readonly Job[],
  context: LaneContext,
): Promise<JobOutcome[]> {
  const { prepared } = context;
  const together = await underSavepoint(client, () => prepared.query(client, prepared.batchStep(jobs)));
  if (together.ok) return batchOutcomes(jobs, together.value);
  // A duplicate inside the run, or a lost race: one by one, each with its own outcome.
  const outcomes: JobOutcome[] = [];
  for (const job of jobs) outcomes.push(await jobInTransaction(client, job, context));
  return outcomes;
}

async function jobInTransaction(client: pg.ClientBase, job: Job, context: LaneContext): Promise<JobOutcome> {
  for (let attempt = 1; ; attempt++) {
    const run = await underSavepoint(client, async () => {
      const rows: Row[][] = [];
      for (const step of job) rows.push(await context.prepared.query(client, step));
      return rows;
    });
    if (run.ok) return { ok: true, rows: run.value };
    // A rerun is a new statement, whose snapshot (READ COMMITTED) sees the write that won.
    const error = context.toError(run.error);
    if (attempt >= MAX_RERUNS || !lostRace(job, error)) return { ok: false, error };
  }
}

/** Runs `work` so that its failure undoes only what it did and leaves the transaction usable. */
async function underSavepoint<T>(
  client: pg.ClientBase,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await client.query("SAVEPOINT chatlog_job");
  try {
    const value = await work();
    await client.query("RELEASE SAVEPOINT chatlog_job");
    return { ok: true, value };
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT chatlog_job");
    return { ok: false, error };
  }
}
