import {
  type ChatEvent,
  ChatlogError,
  type Content,
  EVENT_TYPES,
  type EventType,
  isPlainObject,
  type JsonObject,
  type JsonValue,
  ROLES,
  type Role,
  type ToolCall,
  type Usage,
  type ValidEvent,
} from "@chatlog/core";
import type { Row, SqlValue } from "./executor.ts";

/** Column values for an INSERT of `event` (see SQL.append). */
export function encodeEvent(event: ValidEvent): Record<string, SqlValue> {
  const ms = event.createdAt.getTime();
  const { content } = event;
  return {
    id: event.id,
    conversation_id: event.conversationId,
    schema_version: event.schemaVersion,
    type: event.type,
    role: event.role,
    // Strings are stored as given and marked, so text that happens to look like JSON comes back
    // as the same string; part arrays are stored as JSON (the seed's format) and marked too.
    content: content === null ? null : typeof content === "string" ? content : JSON.stringify(content),
    content_format: content === null ? null : typeof content === "string" ? "text" : "parts",
    tool_calls: event.toolCalls.length === 0 ? null : JSON.stringify(event.toolCalls),
    usage: event.usage === null ? null : JSON.stringify(event.usage),
    token_count: event.tokenCount,
    provider: event.provider,
    model: event.model,
    stop_reason: event.stopReason,
    created_at: event.createdAt.toISOString(),
    created_at_unix: Math.floor(ms / 1000),
    created_at_ms: ms,
    extra: JSON.stringify(event.extra),
    raw: event.raw === undefined ? null : JSON.stringify(event.raw),
  };
}

/** The event as stored by an append that assigned `seq` (no read-back needed). */
export function storedEvent(event: ValidEvent, seq: number): ChatEvent {
  return {
    id: event.id,
    conversationId: event.conversationId,
    seq,
    schemaVersion: event.schemaVersion,
    type: event.type,
    role: event.role,
    content: event.content,
    toolCalls: event.toolCalls,
    usage: event.usage,
    provider: event.provider,
    model: event.model,
    stopReason: event.stopReason,
    tokenCount: event.tokenCount,
    createdAt: new Date(event.createdAt.getTime()),
    extra: event.extra,
    raw: event.raw === undefined ? null : event.raw,
  };
}

const TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const ROLE_SET: ReadonlySet<string> = new Set(ROLES);

function isPartArray(value: unknown): value is Exclude<Content, string | null> {
  return Array.isArray(value) && value.every((part) => isPlainObject(part) && typeof part.type === "string");
}

/**
 * Legacy rows carry no format marker. The seed wrote part arrays as JSON and None as the text
 * "null"; anything else is taken as the string it is (so '[1, 2, 3]' stays a string, unlike in
 * the seed, where it broke the whole conversation).
 */
function decodeLegacyContent(text: string): Content {
  if (text === "null") return null;
  if (text.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(text);
      // An empty list is ambiguous; the text "[]" is the likelier intent.
      if (isPartArray(parsed) && parsed.length > 0) return parsed;
    } catch {
      // not JSON: a plain string
    }
  }
  return text;
}

/** Parses ISO text as the Python system wrote it: naive means UTC. */
function parseLegacyTime(text: string): number {
  const iso = text.includes("T") ? text : text.replace(" ", "T");
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  // Date parses at most milliseconds; Python wrote microseconds.
  return Date.parse(zoned.replace(/(\.\d{3})\d+/, "$1"));
}

class RowDecoder {
  readonly corrupt: string[] = [];
  constructor(private readonly row: Row) {}

  json<T>(column: string, fallback: T, check: (value: unknown) => boolean): T {
    const text = this.row[column];
    if (text === null || text === undefined) return fallback;
    try {
      const value: unknown = JSON.parse(String(text));
      if (check(value)) return value as T;
    } catch {
      // reported below
    }
    this.corrupt.push(column);
    return fallback;
  }
}

/**
 * Turns a chat_events row into a ChatEvent. Never throws for bad data: a field that cannot be
 * decoded falls back to its default and is named in `corruptFields`, so one damaged row does
 * not make its conversation unreadable.
 */
export function decodeRow(row: Row, onCorrupt: (error: ChatlogError) => void): ChatEvent {
  const d = new RowDecoder(row);

  let content: Content = null;
  const text = row.content;
  if (typeof text === "string") {
    if (row.content_format === "text") content = text;
    else if (row.content_format === "parts") content = d.json<Content>("content", text, isPartArray);
    else content = decodeLegacyContent(text);
  } else if (text !== null && text !== undefined) {
    content = String(text);
  }

  const toolCalls = d.json<ToolCall[]>(
    "tool_calls",
    [],
    (v) =>
      Array.isArray(v) &&
      v.every((c) => isPlainObject(c) && typeof c.id === "string" && typeof c.name === "string"),
  );
  for (const call of toolCalls) if (call.arguments === undefined) call.arguments = {};
  const extra = d.json<JsonObject>("extra", {}, isPlainObject);
  const raw = d.json<JsonValue>("raw", null, () => true);
  const usage = d.json<Usage | null>("usage", null, isPlainObject);

  let ms = typeof row.created_at_ms === "number" ? row.created_at_ms : Number.NaN;
  if (Number.isNaN(ms) && typeof row.created_at === "string") ms = parseLegacyTime(row.created_at);
  if (Number.isNaN(ms) && typeof row.created_at_unix === "number") ms = row.created_at_unix * 1000;
  if (Number.isNaN(ms)) {
    d.corrupt.push("created_at");
    ms = 0;
  }

  const type = String(row.type);
  if (!TYPE_SET.has(type)) d.corrupt.push("type");
  const role = row.role === null || row.role === undefined ? null : String(row.role);
  if (role !== null && !ROLE_SET.has(role)) d.corrupt.push("role");

  const event: ChatEvent = {
    id: String(row.id),
    conversationId: String(row.conversation_id),
    seq: Number(row.seq),
    schemaVersion: Number(row.schema_version),
    type: type as EventType,
    role: role as Role | null,
    content,
    toolCalls,
    usage,
    provider: (row.provider as string | null) ?? null,
    model: (row.model as string | null) ?? null,
    stopReason: (row.stop_reason as string | null) ?? null,
    tokenCount: typeof row.token_count === "number" ? row.token_count : null,
    createdAt: new Date(ms),
    extra,
    raw,
  };
  if (d.corrupt.length > 0) {
    event.corruptFields = d.corrupt;
    onCorrupt(
      new ChatlogError("CORRUPT_ROW", `event ${event.id} has undecodable ${d.corrupt.join(", ")}`, {
        details: { eventId: event.id, conversationId: event.conversationId, fields: d.corrupt },
      }),
    );
  }
  return event;
}
