/**
 * The JSON shapes of Hrana over HTTP (protocol versions 2 and 3, JSON encoding), as
 * @libsql/client sends and expects them. Field names are the wire names.
 */

export type ProtoValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

export interface ProtoStmt {
  sql?: string;
  sql_id?: number;
  args?: ProtoValue[];
  named_args?: { name: string; value: ProtoValue }[];
  want_rows?: boolean;
}

export type ProtoCond =
  | { type: "ok"; step: number }
  | { type: "error"; step: number }
  | { type: "not"; cond: ProtoCond }
  | { type: "and"; conds: ProtoCond[] }
  | { type: "or"; conds: ProtoCond[] }
  | { type: "is_autocommit" };

export interface ProtoBatch {
  steps: { condition?: ProtoCond | null; stmt: ProtoStmt }[];
}

export type StreamRequest =
  | { type: "close" }
  | { type: "execute"; stmt: ProtoStmt }
  | { type: "batch"; batch: ProtoBatch }
  | { type: "sequence"; sql?: string; sql_id?: number }
  | { type: "describe"; sql?: string; sql_id?: number }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number }
  | { type: "get_autocommit" };

export interface PipelineRequestBody {
  baton?: string | null;
  requests: StreamRequest[];
}

export interface ProtoError {
  message: string;
  code?: string;
}

export interface StmtResult {
  cols: { name: string | null; decltype: string | null }[];
  rows: ProtoValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

export interface BatchResult {
  step_results: (StmtResult | null)[];
  step_errors: (ProtoError | null)[];
}

export interface DescribeResult {
  params: { name: string | null }[];
  cols: { name: string; decltype: string | null }[];
  is_explain: boolean;
  is_readonly: boolean;
}

export type StreamResponse =
  | { type: "close" }
  | { type: "execute"; result: StmtResult }
  | { type: "batch"; result: BatchResult }
  | { type: "sequence" }
  | { type: "describe"; result: DescribeResult }
  | { type: "store_sql" }
  | { type: "close_sql" }
  | { type: "get_autocommit"; is_autocommit: boolean };

export type StreamResult = { type: "ok"; response: StreamResponse } | { type: "error"; error: ProtoError };

export interface PipelineResponseBody {
  baton: string | null;
  base_url: string | null;
  results: StreamResult[];
}

/** A value as libSQL's native binding takes and gives it (integers as bigint, safe mode). */
export type SqlValue = null | bigint | number | string | Buffer;

export function decodeValue(value: ProtoValue): SqlValue {
  switch (value?.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(value.value);
    case "float":
      return Number(value.value);
    case "text":
      return String(value.value);
    case "blob":
      return Buffer.from(value.base64, "base64");
    default:
      throw new ProtocolError("Value type not recognized");
  }
}

export function encodeValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { type: "null" };
  if (typeof value === "bigint") return { type: "integer", value: value.toString() };
  if (typeof value === "number") {
    // Rows are read in safe-integer mode, so a number here is a REAL.
    return { type: "float", value };
  }
  if (typeof value === "string") return { type: "text", value };
  if (value instanceof Uint8Array) return { type: "blob", base64: Buffer.from(value).toString("base64") };
  return { type: "text", value: String(value) };
}

/**
 * A request the protocol does not allow (a bad baton, an unknown request type, a missing SQL
 * text). sqld answers these with HTTP 400 and a plain-text message; so does this server.
 */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

/**
 * A stream that expired or was closed: a correct client can cause it (by waiting too long), so
 * sqld answers it with HTTP 400 and a JSON error object carrying a code.
 */
export class StreamError extends Error {
  override readonly name = "StreamError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}
