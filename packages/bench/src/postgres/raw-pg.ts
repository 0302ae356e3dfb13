import { randomUUID } from "node:crypto";
import pg from "pg";

/**
 * node-postgres as the baselines use it: int8 read as numbers (seqs and millisecond times fit in
 * 2^53) and json read as its text, unparsed, as the library's row codec wants it.
 */
export const RAW_TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8) return Number;
    if (oid === pg.types.builtins.JSON) return (text: string) => text;
    return pg.types.getTypeParser(oid, format);
  },
};

/** Every column an append writes, as the library writes them for a plain message. */
export const INSERT_EVENT = `INSERT INTO chat_events
  (id, conversation_id, seq, schema_version, type, role, content, content_format, tool_calls, usage,
   token_count, provider, model, stop_reason, extra, raw, created_at, created_at_unix, created_at_ms)
  VALUES ($1, $2, $3, 1, $4, $5, $6, 'text', NULL, NULL, NULL, NULL, NULL, NULL, $7, NULL, $8, $9, $10)`;

/** A full-history read of one conversation, every column, in seq order. */
export const SELECT_EVENTS = `SELECT id, conversation_id, seq, schema_version, type, role, content, tool_calls,
  provider, model, stop_reason, created_at, created_at_unix, extra, raw, request_id, content_format, usage,
  token_count, created_at_ms FROM chat_events WHERE conversation_id = $1 ORDER BY seq`;

/** A typical `extra` of a user message: its request id and a little metadata. */
export const EVENT_JSON = '{"request_id":null,"client":"bench","visible_to_model":true}';

/** The parameters of INSERT_EVENT for one row, built the way the library builds them. */
export function eventValues(
  conversationId: string,
  seq: number,
  extra = EVENT_JSON,
  type = "user_message",
  role = "user",
  content = `message ${seq} of ${conversationId}`,
): unknown[] {
  const now = Date.now();
  return [
    randomUUID(),
    conversationId,
    seq,
    type,
    role,
    content,
    extra,
    new Date(now).toISOString(),
    Math.floor(now / 1000),
    now,
  ];
}

/**
 * One of the library's statements (`:name` parameters) as node-postgres takes it ($1, $2, ...,
 * values in the order given), so a baseline runs the library's own SQL text.
 */
export function positional(sql: string, args: Record<string, unknown>): { text: string; values: unknown[] } {
  const names: string[] = [];
  const text = sql.replace(/(?<!:):([a-z_][a-z0-9_]*)/g, (_match, name: string) => {
    const index = names.includes(name) ? names.indexOf(name) : names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, values: names.map((name) => args[name]) };
}
