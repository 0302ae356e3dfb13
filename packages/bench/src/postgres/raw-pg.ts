import { randomUUID } from "node:crypto";
import pg from "pg";

/**
 * node-postgres as the baseline uses it: int8 read as numbers (seqs and millisecond times fit in
 * 2^53) and json read as its text, unparsed, as the library's row codec wants it.
 */
export const RAW_TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8) return Number;
    if (oid === pg.types.builtins.JSON) return (text: string) => text;
    return pg.types.getTypeParser(oid, format);
  },
};

/** The columns an append writes, in the order of EVENT_VALUES. */
export const INSERT_EVENT = `INSERT INTO chat_events
  (id, conversation_id, seq, schema_version, type, role, content, content_format, extra, raw,
   created_at, created_at_unix, created_at_ms)
  VALUES ($1, $2, $3, 1, 'user_message', 'user', $4, 'text', $5, NULL, $6, $7, $8)`;

/** A full-history read of one conversation, every column, in seq order. */
export const SELECT_EVENTS = `SELECT id, conversation_id, seq, schema_version, type, role, content, tool_calls,
  provider, model, stop_reason, created_at, created_at_unix, extra, raw, request_id, content_format, usage,
  token_count, created_at_ms FROM chat_events WHERE conversation_id = $1 ORDER BY seq`;

/** The parameters of INSERT_EVENT for one row: what the library would write for a plain user message. */
export function eventValues(conversationId: string, seq: number, extra = "{}"): unknown[] {
  const now = Date.now();
  return [
    randomUUID(),
    conversationId,
    seq,
    `message ${seq} of ${conversationId}`,
    extra,
    new Date(now).toISOString(),
    Math.floor(now / 1000),
    now,
  ];
}

/** A typical `extra` of a user message: its request id and a little metadata. */
export const EVENT_JSON = '{"request_id":null,"client":"bench","visible_to_model":true}';
