import { type Connection, parameterNames, type ResolvedStmt, StmtFailure } from "./connection.ts";
import {
  type BatchResult,
  decodeValue,
  type ProtoBatch,
  type ProtoCond,
  ProtocolError,
  type ProtoError,
  type ProtoStmt,
  type SqlValue,
  type StmtResult,
  type StreamRequest,
  type StreamResponse,
  type StreamResult,
} from "./proto.ts";
import type { Stream, StreamTable } from "./streams.ts";

/** sqld's limits on stored SQL texts per stream. */
const MAX_STORED_SQL = 50;
const MAX_STORED_SQL_BYTES = 5 * 1024;

/**
 * Runs one request of a pipeline on its stream. A failing statement is a result (type "error")
 * and the pipeline goes on; a request the protocol forbids throws ProtocolError, which fails
 * the whole HTTP request, as in sqld.
 */
export async function handleRequest(
  streams: StreamTable,
  stream: Stream,
  request: StreamRequest,
  version: 2 | 3,
): Promise<StreamResult> {
  try {
    return { type: "ok", response: await respond(streams, stream, request, version) };
  } catch (error) {
    if (error instanceof StmtFailure) return { type: "error", error: error.error };
    if (error instanceof StoreFailure) return { type: "error", error: error.error };
    throw error;
  }
}

class StoreFailure extends Error {
  constructor(readonly error: ProtoError) {
    super(error.message);
  }
}

async function respond(
  streams: StreamTable,
  stream: Stream,
  request: StreamRequest,
  version: 2 | 3,
): Promise<StreamResponse> {
  switch (request?.type) {
    case "close":
      streams.closeStream(stream);
      return { type: "close" };
    case "execute":
      return { type: "execute", result: await dbOf(stream).execute(resolveStmt(stream, request.stmt)) };
    case "batch":
      return { type: "batch", result: await runBatch(stream, request.batch, version) };
    case "sequence":
      dbOf(stream).sequence(sqlOf(stream, request.sql, request.sql_id));
      return { type: "sequence" };
    case "describe":
      return { type: "describe", result: dbOf(stream).describe(sqlOf(stream, request.sql, request.sql_id)) };
    case "store_sql": {
      if (stream.sqls.has(request.sql_id))
        throw new ProtocolError(`SQL text ${request.sql_id} already exists`);
      if (stream.sqls.size >= MAX_STORED_SQL) {
        throw new StoreFailure({
          message: `The server already stores ${stream.sqls.size} SQL texts, it cannot store more`,
          code: "SQL_STORE_TOO_MANY",
        });
      }
      if (Buffer.byteLength(request.sql) > MAX_STORED_SQL_BYTES) {
        throw new StoreFailure({
          message: `The statement is too large to be stored: ${Buffer.byteLength(request.sql)} B/5.0 KB`,
          code: "SQL_STORE_TOO_LARGE",
        });
      }
      stream.sqls.set(request.sql_id, String(request.sql));
      return { type: "store_sql" };
    }
    case "close_sql":
      stream.sqls.delete(request.sql_id);
      return { type: "close_sql" };
    case "get_autocommit":
      requireVersion(version, 3, "The `get_autocommit` request");
      return { type: "get_autocommit", is_autocommit: dbOf(stream).isAutocommit };
    default:
      throw new ProtocolError("StreamRequest type not recognized");
  }
}

function dbOf(stream: Stream): Connection {
  if (stream.conn === null) throw new ProtocolError("Stream for this baton was closed");
  return stream.conn;
}

function requireVersion(version: number, min: number, what: string): void {
  if (version < min)
    throw new ProtocolError(`${what} is only supported in protocol version ${min} and higher`);
}

function sqlOf(stream: Stream, sql: string | undefined | null, sqlId: number | undefined | null): string {
  const hasSql = sql !== undefined && sql !== null;
  const hasId = sqlId !== undefined && sqlId !== null;
  if (hasSql && hasId) throw new ProtocolError("Either `sql` or `sql_id` are required, but not both");
  if (hasSql) return String(sql);
  if (!hasId) throw new ProtocolError("Either `sql` or `sql_id` are required");
  const stored = stream.sqls.get(sqlId);
  if (stored === undefined) throw new ProtocolError(`SQL text ${sqlId} not found`);
  return stored;
}

function resolveStmt(stream: Stream, stmt: ProtoStmt): ResolvedStmt {
  if (stmt === null || typeof stmt !== "object") throw new ProtocolError("a statement is required");
  const sql = sqlOf(stream, stmt.sql, stmt.sql_id);
  const positional = (stmt.args ?? []).map(decodeValue);
  const named = stmt.named_args ?? [];
  if (positional.length > 0 && named.length > 0) {
    throw new StmtFailure(
      {
        message: "Specifying both positional and named arguments is not supported",
        code: "ARGS_BOTH_POSITIONAL_AND_NAMED",
      },
      false,
    );
  }
  let args: ResolvedStmt["args"] = positional;
  if (named.length > 0) {
    // The binding names parameters without their prefix (`:id`, `@id` and `$id` are all `id`).
    const byName: Record<string, SqlValue> = {};
    for (const { name, value } of named) byName[String(name).replace(/^[:@$]/, "")] = decodeValue(value);
    args = byName;
    // The native binding panics when a statement with an anonymous `?` is bound by name; bind
    // such a statement by position instead (anonymous parameters get NULL, as in SQLite).
    const params = parameterNames(sql);
    if (params.includes(null)) {
      args = params.map((p) => (p === null || p.startsWith("?") ? null : (byName[p.slice(1)] ?? null)));
    }
  }
  return { sql, args, wantRows: stmt.want_rows !== false };
}

interface StepState {
  result: StmtResult | null;
  error: ProtoError | null;
}

async function runBatch(stream: Stream, batch: ProtoBatch, version: 2 | 3): Promise<BatchResult> {
  const db = dbOf(stream);
  const steps = batch?.steps ?? [];
  const states: StepState[] = [];
  // Conditions are checked before anything runs: a bad one fails the request, as in sqld.
  steps.forEach((step, i) => {
    if (step.condition !== undefined && step.condition !== null) checkCond(step.condition, i, version);
  });
  for (const step of steps) {
    if (step.condition !== undefined && step.condition !== null && !evalCond(step.condition, states, db)) {
      states.push({ result: null, error: null });
      continue;
    }
    try {
      states.push({ result: await db.execute(resolveStmt(stream, step.stmt)), error: null });
    } catch (error) {
      if (!(error instanceof StmtFailure)) throw error;
      states.push({ result: null, error: error.error });
    }
  }
  return { step_results: states.map((s) => s.result), step_errors: states.map((s) => s.error) };
}

function checkCond(cond: ProtoCond, stepIndex: number, version: number): void {
  switch (cond?.type) {
    case "ok":
    case "error":
      if (!Number.isInteger(cond.step) || cond.step < 0 || cond.step >= stepIndex) {
        throw new ProtocolError("Invalid reference to step in a batch condition");
      }
      return;
    case "not":
      checkCond(cond.cond, stepIndex, version);
      return;
    case "and":
    case "or":
      for (const c of cond.conds ?? []) checkCond(c, stepIndex, version);
      return;
    case "is_autocommit":
      requireVersion(version, 3, "BatchCond of type `is_autocommit`");
      return;
    default:
      throw new ProtocolError("BatchCond type not recognized");
  }
}

function evalCond(cond: ProtoCond, states: readonly StepState[], db: Connection): boolean {
  switch (cond.type) {
    case "ok":
      return states[cond.step]?.result != null;
    case "error":
      return states[cond.step]?.error != null;
    case "not":
      return !evalCond(cond.cond, states, db);
    case "and":
      return (cond.conds ?? []).every((c) => evalCond(c, states, db));
    case "or":
      return (cond.conds ?? []).some((c) => evalCond(c, states, db));
    case "is_autocommit":
      return db.isAutocommit;
  }
}
