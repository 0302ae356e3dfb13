import type { Job, JobOutcome, Row, SqlExecutor, Step } from "@chatlog/engine";
import type pg from "pg";
import { type BatchUnit, conversationOf, planFlush } from "./flush-plan.ts";
import { type LaneContext, lostRace, MAX_RERUNS, runLaneJobs } from "./lane-transaction.ts";
import { classifyPostgresError, toPostgresChatlogError } from "./postgres-errors.ts";
import { batchOutcomes, PreparedStatements } from "./prepared-statements.ts";

/** A connection lent for one statement or one transaction; `done` hands it back. */
interface Lent {
  client: pg.PoolClient;
  done(broken?: Error): void;
}

/**
 * Runs the engine's statements on a node-postgres pool. Each statement is a named prepared
 * statement (parsed once per connection). A job of one statement runs in autocommit, a longer
 * one as BEGIN ... COMMIT (READ COMMITTED; the statements take the row locks their atomicity
 * needs), rolled back alone if any of its statements fails. Postgres runs writers side by side,
 * so a flush of the write queue runs each conversation's jobs as one transaction, in call order,
 * and different conversations concurrently, each on a connection of its own (planFlush);
 * single appends of conversations that have nothing else in the flush go out as one statement
 * (Statement.batch).
 *
 * The executor keeps one connection of the pool checked out and uses it whenever it is free:
 * checking a connection out of a pg.Pool and back in for every query costs about as much as a
 * short INSERT. Calls that find it busy take another from the pool.
 */
export class PostgresExecutor implements SqlExecutor {
  private readonly prepared = new PreparedStatements();
  private readonly lane: LaneContext;
  private held: Promise<pg.PoolClient> | null = null;
  private heldBusy = false;
  /** Set when the held connection reported an error while idle: it is replaced at next use. */
  private heldBroken: Error | undefined;
  /** A pool of one connection cannot spare one to hold. */
  private readonly mayHold: boolean;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    /** The server (a URL without its password), named in every error. */
    private readonly location?: string,
  ) {
    this.mayHold = (pool.options.max ?? 10) > 1;
    this.lane = { prepared: this.prepared, toError: (error) => toPostgresChatlogError(error, location) };
  }

  async all(step: Step): Promise<Row[]> {
    const outcome = await this.runJob([step]);
    if (!outcome.ok) throw outcome.error;
    return outcome.rows[0] ?? [];
  }

  /**
   * Runs one flush of the write queue as planFlush lays it out: per conversation, its jobs in
   * call order, committed together; different conversations side by side; the conversations
   * that have only single appends as one statement. Resolves once every job has committed or
   * failed, so the next flush starts after this one's order is fixed.
   */
  async runJobs(jobs: readonly Job[]): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = new Array(jobs.length);
    const settle = async (members: readonly number[], run: Promise<JobOutcome[]>) => {
      const settled = await run;
      members.forEach((job, i) => {
        outcomes[job] = settled[i]!;
      });
    };
    for (const stage of planFlush(jobs)) {
      if ("alone" in stage) {
        outcomes[stage.alone] = await this.runJob(jobs[stage.alone]!);
        continue;
      }
      await Promise.all([
        ...stage.batches.map((unit) => settle(unit.jobs, this.runBatch(unit, jobs))),
        ...stage.lanes.map((lane) => settle(lane, this.runLane(lane.map((i) => jobs[i]!)))),
      ]);
    }
    return outcomes;
  }

  async close(): Promise<void> {
    const held = this.held;
    this.held = null;
    if (held !== null) (await held.catch(() => null))?.release();
    if (this.ownsPool) await this.pool.end();
  }

  /**
   * Several conversations' single appends as one batch statement in autocommit. If it fails (a
   * duplicate inside the batch, a lost race), each conversation's appends run again as its lane.
   */
  private async runBatch(unit: BatchUnit, all: readonly Job[]): Promise<JobOutcome[]> {
    const jobs = unit.jobs.map((i) => all[i]!);
    const outcome = await this.runJobOnce([this.prepared.batchStep(jobs)]);
    if (outcome.ok) return batchOutcomes(jobs, outcome.rows[0] ?? []);
    const lanes = new Map<string | null, number[]>();
    jobs.forEach((job, i) => {
      const conversation = conversationOf(job);
      lanes.set(conversation, [...(lanes.get(conversation) ?? []), i]);
    });
    const outcomes: JobOutcome[] = new Array(jobs.length);
    await Promise.all(
      [...lanes.values()].map(async (lane) => {
        const settled = await this.runLane(lane.map((i) => jobs[i]!));
        lane.forEach((i, k) => {
          outcomes[i] = settled[k]!;
        });
      }),
    );
    return outcomes;
  }

  /**
   * One conversation's jobs of a flush: one transaction on one connection, each job under a
   * savepoint (runLaneJobs), so they take effect in call order and no reader sees part of them.
   */
  private async runLane(jobs: readonly Job[]): Promise<JobOutcome[]> {
    if (jobs.length === 1) return [await this.runJob(jobs[0]!)];
    let lent: Lent;
    try {
      lent = await this.lend();
    } catch (error) {
      const failure = toPostgresChatlogError(error, this.location);
      return jobs.map(() => ({ ok: false, error: failure }));
    }
    const { client } = lent;
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const outcomes = await runLaneJobs(client, jobs, this.lane);
      await client.query("COMMIT");
      return outcomes;
    } catch (error) {
      await client.query("ROLLBACK").catch((e: Error) => {
        broken = e;
      });
      const failure = toPostgresChatlogError(error, this.location);
      return jobs.map(() => ({ ok: false, error: failure }));
    } finally {
      lent.done(broken);
    }
  }

  /** Runs a job, rerunning it while it loses races it can win on a rerun (see Statement). */
  private async runJob(job: Job): Promise<JobOutcome> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.runJobOnce(job);
      if (outcome.ok || attempt >= MAX_RERUNS || !lostRace(job, outcome.error)) return outcome;
    }
  }

  private async runJobOnce(job: Job): Promise<JobOutcome> {
    let lent: Lent;
    try {
      lent = await this.lend();
    } catch (error) {
      return { ok: false, error: toPostgresChatlogError(error, this.location) };
    }
    const { client } = lent;
    if (job.length === 1) {
      try {
        const rows = await this.prepared.query(client, job[0]!);
        lent.done();
        return { ok: true, rows: [rows] };
      } catch (error) {
        lent.done(connectionLost(error));
        return { ok: false, error: toPostgresChatlogError(error, this.location) };
      }
    }
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const rows: Row[][] = [];
      for (const step of job) rows.push(await this.prepared.query(client, step));
      await client.query("COMMIT");
      return { ok: true, rows };
    } catch (error) {
      await client.query("ROLLBACK").catch((e: Error) => {
        broken = e;
      });
      return { ok: false, error: toPostgresChatlogError(error, this.location) };
    } finally {
      // A connection that could not even roll back is discarded, not handed to the next caller.
      lent.done(broken);
    }
  }

  /** The held connection when it is free, else one from the pool. */
  private async lend(): Promise<Lent> {
    if (this.mayHold && !this.heldBusy) {
      this.heldBusy = true;
      try {
        if (this.heldBroken !== undefined && this.held !== null) {
          (await this.held.catch(() => null))?.release(this.heldBroken);
          this.held = null;
        }
        this.heldBroken = undefined;
        this.held ??= this.connectHeld();
        const client = await this.held;
        socketOf(client)?.ref();
        return {
          client,
          done: (broken) => {
            if (broken !== undefined) this.heldBroken = broken;
            this.heldBusy = false;
            // Idle, the held connection must not keep the process alive (a pool's idle ones do not).
            socketOf(client)?.unref();
          },
        };
      } catch (error) {
        this.held = null;
        this.heldBusy = false;
        throw error;
      }
    }
    const client = await this.pool.connect();
    return { client, done: (broken) => client.release(broken) };
  }

  private async connectHeld(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    // An idle connection the server drops must not crash the process: it is replaced at next use.
    client.on("error", (error) => {
      this.heldBroken = error;
    });
    return client;
  }
}

/** The socket under a node-postgres connection (absent in other client implementations). */
function socketOf(client: pg.PoolClient): { ref(): void; unref(): void } | undefined {
  const stream = (client as unknown as { connection?: { stream?: { ref?: unknown; unref?: unknown } } })
    .connection?.stream;
  return typeof stream?.ref === "function" && typeof stream.unref === "function"
    ? (stream as { ref(): void; unref(): void })
    : undefined;
}

/** The error, when it means the connection itself is gone (so it must not be reused). */
function connectionLost(error: unknown): Error | undefined {
  return classifyPostgresError(error) === "unavailable" ? (error as Error) : undefined;
}
