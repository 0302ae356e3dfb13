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

// Checks are module-level functions, not closures made per row: decoding sits on every read path.
function isToolCallList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((c) => isPlainObject(c) && typeof c.id === "string" && typeof c.name === "string")
  );
}

function anyJson(): boolean {
  return true;
}

/** Parses ISO text as the Python system wrote it: naive means UTC. */
function parseLegacyTime(text: string): number {
  const iso = text.includes("T") ? text : text.replace(" ", "T");
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  // Date parses at most milliseconds; Python wrote microseconds.
  return Date.parse(zoned.replace(/(\.\d{3})\d+/, "$1"));
}

/** The widest instant a Date holds (±8.64e15 ms); anything beyond is not a time. */
const MAX_DATE_MS = 8.64e15;

function validMs(value: unknown): number {
  return typeof value === "number" && Number.isSafeInteger(value) && Math.abs(value) <= MAX_DATE_MS
    ? value
    : Number.NaN;
}

class RowDecoder {
  readonly corrupt: string[] = [];
  constructor(private readonly row: Row) {}

  /**
   * A TEXT column as a string. Another program may have stored a BLOB or a number there: a
   * BLOB is decoded as UTF-8 (invalid bytes become U+FFFD), a number becomes its text, and the
   * column is reported either way, so no Buffer ever leaves the repository.
   */
  text(column: string): string | null {
    const value = this.row[column];
    if (value === null || value === undefined) return null;
    if (typeof value === "string") return value;
    this.corrupt.push(column);
    if (value instanceof Uint8Array) return new TextDecoder().decode(value);
    if (value instanceof ArrayBuffer) return new TextDecoder().decode(new Uint8Array(value));
    return String(value);
  }

  json<T>(column: string, fallback: T, check: (value: unknown) => boolean): T {
    const text = this.text(column);
    if (text === null) return fallback;
    try {
      const value: unknown = JSON.parse(text);
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
  const text = d.text("content");
  if (text !== null) {
    if (row.content_format === "text") content = text;
    else if (row.content_format === "parts") content = d.json<Content>("content", text, isPartArray);
    else content = decodeLegacyContent(text);
  }

  const toolCalls = d.json<ToolCall[]>("tool_calls", [], isToolCallList);
  for (const call of toolCalls) if (call.arguments === undefined) call.arguments = {};
  const extra = d.json<JsonObject>("extra", {}, isPlainObject);
  const raw = d.json<JsonValue>("raw", null, anyJson);
  const usage = d.json<Usage | null>("usage", null, isPlainObject);

  // created_at_ms first, then the Python system's columns; an out-of-range value (which would
  // make an Invalid Date, and a RangeError in every caller that prints it) counts as missing.
  let ms = validMs(row.created_at_ms);
  if (Number.isNaN(ms) && row.created_at_ms !== null && row.created_at_ms !== undefined) {
    d.corrupt.push("created_at_ms");
  }
  if (Number.isNaN(ms) && typeof row.created_at === "string") ms = validMs(parseLegacyTime(row.created_at));
  if (Number.isNaN(ms) && typeof row.created_at_unix === "number") ms = validMs(row.created_at_unix * 1000);
  if (Number.isNaN(ms)) {
    d.corrupt.push("created_at");
    ms = 0;
  }

  // An unknown type or role would make the event impossible to store again (an export of a
  // damaged database could not be imported): they read as "meta" and null, reported.
  const storedType = d.text("type");
  const type = storedType !== null && TYPE_SET.has(storedType) ? storedType : "meta";
  if (type !== storedType) d.corrupt.push("type");
  const storedRole = d.text("role");
  const role = storedRole === null || ROLE_SET.has(storedRole) ? storedRole : null;
  if (role !== storedRole) d.corrupt.push("role");
  const provider = d.text("provider");
  const model = d.text("model");
  const stopReason = d.text("stop_reason");
  const tokenCount =
    typeof row.token_count === "number" && Number.isSafeInteger(row.token_count) && row.token_count >= 0
      ? row.token_count
      : null;

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
    provider,
    model,
    stopReason,
    tokenCount,
    createdAt: new Date(ms),
    extra,
    raw,
  };
  if (d.corrupt.length > 0) {
    event.corruptFields = d.corrupt;
    onCorrupt(
      new ChatlogError("CORRUPT_ROW", `event ${event.id} has undecodable ${d.corrupt.join(", ")}`, {
        details: {
          eventId: event.id,
          conversationId: event.conversationId,
          fields: d.corrupt,
          ...(type === storedType ? {} : { storedType }),
          ...(role === storedRole ? {} : { storedRole }),
        },
      }),
    );
  }
  return event;
}
