import type { Job, JobOutcome, Row, SqlArgs, Statement, Step } from "@chatlog/engine";
import pg from "pg";

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

function parameterValue(args: SqlArgs, name: string): unknown {
  const value = args[name];
  // As SQLite's bindings do: a statement's parameter with no value is a bug, never a NULL.
  if (value === undefined) throw new RangeError(`missing parameter :${name}`);
  return value;
}

/**
 * The engine's statements as node-postgres named prepared statements (each parsed once per
 * connection), run with chatlog's own type parsers.
 */
export class PreparedStatements {
  private readonly prepared = new Map<Statement, Prepared>();

  async query(client: pg.ClientBase, step: Step): Promise<Row[]> {
    const prepared = this.preparedOf(step.statement);
    const result = await client.query({
      name: prepared.name,
      text: prepared.text,
      values: prepared.params.map((name) => parameterValue(step.args, name)),
      types: TYPES,
    });
    return result.rows as Row[];
  }

  /**
   * Single-append jobs sharing a batch statement (Statement.batch) as one step of it: each of its
   * parameters an array with one element per job, in job order.
   */
  batchStep(jobs: readonly Job[]): Step {
    const { statement } = jobs[0]![0]!.statement.batch!;
    const args = Object.fromEntries(
      this.preparedOf(statement).params.map((name) => [
        name,
        jobs.map((job) => parameterValue(job[0]!.args, name)),
      ]),
    );
    return { statement, args: args as unknown as SqlArgs };
  }

  private preparedOf(statement: Statement): Prepared {
    let prepared = this.prepared.get(statement);
    if (prepared === undefined) {
      prepared = prepare(statement);
      this.prepared.set(statement, prepared);
    }
    return prepared;
  }
}

/** Each job's share of a batch statement's rows, told apart by the batch's key column. */
export function batchOutcomes(jobs: readonly Job[], rows: readonly Row[]): JobOutcome[] {
  const { key } = jobs[0]![0]!.statement.batch!;
  return jobs.map((job) => ({ ok: true, rows: [rows.filter((row) => row[key] === job[0]!.args[key])] }));
}
