import type { Job, JobOutcome, Row, SqlArgs, SqlExecutor, Statement, Step } from "@chatlog/engine";
import pg from "pg";
import { toPostgresChatlogError } from "./postgres-errors.ts";

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

/**
 * Runs the engine's statements on a node-postgres pool. Each statement is a named prepared
 * statement (parsed once per connection). Postgres runs writers side by side, so jobs run
 * concurrently, each on a connection of its own: a job of one statement in autocommit, a longer
 * one as BEGIN ... COMMIT (READ COMMITTED; the statements take the row locks their atomicity
 * needs), rolled back alone if any of its statements fails.
 */
export class PostgresExecutor implements SqlExecutor {
  private readonly prepared = new Map<Statement, Prepared>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    /** The server (a URL without its password), named in every error. */
    private readonly location?: string,
  ) {}

  async all(step: Step): Promise<Row[]> {
    const outcome = await this.runJob([step]);
    if (!outcome.ok) throw outcome.error;
    return outcome.rows[0] ?? [];
  }

  runJobs(jobs: readonly Job[]): Promise<JobOutcome[]> {
    return Promise.all(jobs.map((job) => this.runJob(job)));
  }

  /** Runs a job, rerunning it while it loses races it can win on a rerun (see Statement). */
  private async runJob(job: Job): Promise<JobOutcome> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.runJobOnce(job);
      if (outcome.ok || attempt >= MAX_RERUNS || !lostRace(job, outcome.error)) return outcome;
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  private async runJobOnce(job: Job): Promise<JobOutcome> {
    if (job.length === 1) {
      try {
        return { ok: true, rows: [await this.query(this.pool, job[0]!)] };
      } catch (error) {
        return { ok: false, error: toPostgresChatlogError(error, this.location) };
      }
    }
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return { ok: false, error: toPostgresChatlogError(error, this.location) };
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
      client.release(broken);
    }
  }

  private async query(on: pg.Pool | pg.PoolClient, step: Step): Promise<Row[]> {
    let prepared = this.prepared.get(step.statement);
    if (prepared === undefined) {
      prepared = prepare(step.statement);
      this.prepared.set(step.statement, prepared);
    }
    const result = await on.query({
      name: prepared.name,
      text: prepared.text,
      values: prepared.params.map((name) => parameterValue(step.args, name)),
      types: TYPES,
    });
    return result.rows as Row[];
  }
}

function parameterValue(args: SqlArgs, name: string): unknown {
  const value = args[name];
  // As SQLite's bindings do: a statement's parameter with no value is a bug, never a NULL.
  if (value === undefined) throw new RangeError(`missing parameter :${name}`);
  return value;
}
