import type { Job, JobOutcome, Row, SqlArgs, SqlExecutor, Statement, Step } from "@chatlog/engine";
import pg from "pg";
import { planFlush } from "./flush-plan.ts";
import { classifyPostgresError, toPostgresChatlogError } from "./postgres-errors.ts";

/** A statement in node-postgres's form: $n placeholders, and which :name each one is. */
interface Prepared {
  readonly name: string;
  readonly text: string;
  readonly params: readonly string[];
}

const INT8 = 20;
const NUMERIC = 1700;
const JSON_OID = 114;
const JSONB = 3802;

/**
 * How values come back, whatever the pool's own settings: int8 and numeric (seqs, counters,
 * milliseconds, COUNT(*)) as numbers, json as its text exactly as stored (the row codec parses it,
 * so key order and every byte survive).
 */
const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    if (oid === JSON_OID || oid === JSONB) return (value: string) => value;
    return pg.types.getTypeParser(oid, format ?? "text");
  },
} as pg.CustomTypesConfig;

/** Reruns of a job that lost a race; each loss means another connection's write committed. */
const MAX_RERUNS = 5;

/** Whether a job failed only because one of its statements lost a race (a unique violation). */
function lostRace(job: Job, error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === "23505" && job.some((step) => step.statement.rerunOnUniqueViolation === true);
}

/** `:name` parameters (not `::type` casts) in statement text. */
const PARAMETER = /(?<!:):([a-z_][a-z0-9_]*)/g;

function prepare(statement: Statement): Prepared {
  const params: string[] = [];
  const text = statement.sql.replace(PARAMETER, (_match, name: string) => {
    let index = params.indexOf(name);
    if (index < 0) index = params.push(name) - 1;
    return `$${index + 1}`;
  });
  return { name: `chatlog_${statement.name}`, text, params };
}

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
 * so a flush's jobs for different conversations run concurrently, each on a connection of its
 * own, while one conversation's keep their call order (planFlush); appends flushed together go
 * out as one statement (Statement.batch).
 *
 * The executor keeps one connection of the pool checked out and uses it whenever it is free:
 * checking a connection out of a pg.Pool and back in for every query costs about as much as a
 * short INSERT. Calls that find it busy take another from the pool.
 */
export class PostgresExecutor implements SqlExecutor {
  private readonly prepared = new Map<Statement, Prepared>();
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
  }

  async all(step: Step): Promise<Row[]> {
    const outcome = await this.runJob([step]);
    if (!outcome.ok) throw outcome.error;
    return outcome.rows[0] ?? [];
  }

  /**
   * Runs one flush of the write queue by planFlush: each conversation's jobs in call order,
   * different conversations side by side, single appends merged into one statement per round.
   * Resolves once every job has committed or failed.
   */
  async runJobs(jobs: readonly Job[]): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = new Array(jobs.length);
    for (const round of planFlush(jobs)) {
      await Promise.all(
        round.map(async (unit) => {
          if ("job" in unit) {
            outcomes[unit.job] = await this.runJob(jobs[unit.job]!);
            return;
          }
          const settled = await this.runBatch(unit.jobs.map((i) => jobs[i]!));
          unit.jobs.forEach((job, i) => {
            outcomes[job] = settled[i]!;
          });
        }),
      );
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
   * Jobs of one statement each, all with the same batch statement, as that one statement; if it
   * fails (a duplicate inside the batch, a lost race), each job runs alone, one after another in
   * call order, so the outcome is the one the jobs would have had one by one.
   */
  private async runBatch(jobs: Job[]): Promise<JobOutcome[]> {
    const first = jobs[0]![0]!.statement;
    const { statement, key } = first.batch!;
    const params = this.preparedOf(statement).params;
    const args = Object.fromEntries(
      params.map((name) => [name, jobs.map((job) => parameterValue(job[0]!.args, name))]),
    );
    const outcome = await this.runJobOnce([{ statement, args: args as unknown as SqlArgs }]);
    if (!outcome.ok) {
      const alone: JobOutcome[] = [];
      for (const job of jobs) alone.push(await this.runJob(job));
      return alone;
    }
    const rows = outcome.rows[0] ?? [];
    return jobs.map((job) => ({ ok: true, rows: [rows.filter((row) => row[key] === job[0]!.args[key])] }));
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
        const rows = await this.query(client, job[0]!);
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
      for (const step of job) rows.push(await this.query(client, step));
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

  private preparedOf(statement: Statement): Prepared {
    let prepared = this.prepared.get(statement);
    if (prepared === undefined) {
      prepared = prepare(statement);
      this.prepared.set(statement, prepared);
    }
    return prepared;
  }

  private async query(client: pg.PoolClient, step: Step): Promise<Row[]> {
    const prepared = this.preparedOf(step.statement);
    const result = await client.query({
      name: prepared.name,
      text: prepared.text,
      values: prepared.params.map((name) => parameterValue(step.args, name)),
      types: TYPES,
    });
    return result.rows as Row[];
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

function parameterValue(args: SqlArgs, name: string): unknown {
  const value = args[name];
  // As SQLite's bindings do: a statement's parameter with no value is a bug, never a NULL.
  if (value === undefined) throw new RangeError(`missing parameter :${name}`);
  return value;
}
