import { ChatlogError } from "./errors.ts";
import {
  type Content,
  EVENT_TYPES,
  type EventType,
  type NewChatEvent,
  ROLES,
  type Role,
  SCHEMA_VERSION,
  type ToolCall,
  type Usage,
} from "./events.ts";
import {
  inspectJson,
  isPlainObject,
  isWellFormedText,
  type JsonObject,
  type JsonValue,
  MAX_JSON_DEPTH,
} from "./json.ts";
import { TITLE_MAX_CHARS } from "./repository.ts";
import { uuidv7 } from "./uuid.ts";

/** Longest id (event id, conversation id, request id, saved id) accepted, in UTF-16 code units. */
export const MAX_ID_LENGTH = 512;

// C0 controls (NUL included), DEL and C1 controls. An id travels into URLs, headers, log lines and
// terminals, and NUL in an indexed key trips older SQLite builds' integrity checks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ID_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why `value` is not an acceptable id, or null if it is: ids are non-empty printable text of at
 * most MAX_ID_LENGTH code units, with no control characters and no lone surrogates.
 */
export function idProblem(value: unknown): string | null {
  if (typeof value !== "string") return "must be a string";
  if (value.length === 0) return "must not be empty";
  if (value.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  if (ID_CONTROL.test(value)) return "must not contain control characters";
  if (!isWellFormedText(value)) return "must be well-formed Unicode (no lone surrogates)";
  return null;
}

/** A validated event with every optional field filled in; what storage writes. */
export interface ValidEvent {
  id: string;
  conversationId: string;
  schemaVersion: number;
  type: EventType;
  role: Role | null;
  content: Content;
  toolCalls: ToolCall[];
  usage: Usage | null;
  provider: string | null;
  model: string | null;
  stopReason: string | null;
  tokenCount: number | null;
  createdAt: Date;
  extra: JsonObject;
  /** undefined means "no raw payload" and is stored as SQL NULL. */
  raw: JsonValue | undefined;
}

const EVENT_FIELDS = new Set([
  "id",
  "conversationId",
  "type",
  "role",
  "content",
  "toolCalls",
  "usage",
  "provider",
  "model",
  "stopReason",
  "tokenCount",
  "createdAt",
  "extra",
  "raw",
  "schemaVersion",
  "seq",
  "corruptFields",
]);
const TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const ROLE_SET: ReadonlySet<string> = new Set(ROLES);

function invalid(field: string, message: string): ChatlogError {
  return new ChatlogError("INVALID_EVENT", `event.${field} ${message}`, { details: { field } });
}

/**
 * Why `value` is not an acceptable conversation title, or null if it is: null (back to the title
 * taken from the first message), or 1 to TITLE_MAX_CHARS characters of one line that is not only
 * whitespace, with no control characters and no lone surrogates. A title is stored as given,
 * never trimmed or cut, so anything else is refused.
 */
function titleProblem(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string") return "must be a string or null";
  if (value.trim().length === 0) return "must not be empty or only whitespace";
  if (Array.from(value).length > TITLE_MAX_CHARS) return `must be at most ${TITLE_MAX_CHARS} characters`;
  if (ID_CONTROL.test(value)) return "must be one line without control characters";
  if (!isWellFormedText(value)) return "must be well-formed Unicode (no lone surrogates)";
  return null;
}

/** Checks a conversation title argument: see titleProblem. */
export function assertTitle(value: unknown, name: string): asserts value is string | null {
  const problem = titleProblem(value);
  if (problem !== null) {
    throw new ChatlogError("INVALID_ARGUMENT", `${name} ${problem}`, { details: { field: name } });
  }
}

/** Checks an id argument (conversation id, request id, saved id): see idProblem. */
export function assertId(value: unknown, name: string): asserts value is string {
  const problem = idProblem(value);
  if (problem !== null) {
    throw new ChatlogError("INVALID_ARGUMENT", `${name} ${problem}`, { details: { field: name } });
  }
}

function eventId(value: unknown, field: string): string {
  const problem = idProblem(value);
  if (problem !== null) throw invalid(field, problem);
  return value as string;
}

/**
 * Text stored in a TEXT column must be well-formed: SQLite stores UTF-8, so a lone surrogate
 * would come back as U+FFFD and the event read back would differ from the one acknowledged.
 * chatlog rejects such text rather than altering it.
 */
function wellFormed(field: string, value: string): string {
  if (!isWellFormedText(value))
    throw invalid(field, "contains a lone UTF-16 surrogate (not well-formed Unicode)");
  // Postgres's text cannot hold U+0000. Refused on every driver, so that what one database
  // accepted another can import (JSON values keep it, escaped as \u0000).
  if (value.includes("\u0000"))
    throw invalid(field, "contains a NUL character (U+0000), which Postgres cannot store");
  return value;
}

/** Checks a content argument (a user message): a string, an array of parts, or null. */
export function assertContent(value: unknown, name: string): asserts value is Content {
  try {
    validateContent(value);
  } catch (error) {
    throw new ChatlogError("INVALID_ARGUMENT", `${name} must be a string, an array of parts, or null`, {
      cause: error,
      details: { field: name },
    });
  }
}

function optionalString(event: Record<string, unknown>, field: string): string | null {
  const value = event[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(field, "must be a string or null");
  return wellFormed(field, value);
}

function jsonField(field: string, value: unknown): void {
  const bad = inspectJson(value);
  if (bad === null) return;
  const details = { field, path: bad.path, reason: bad.reason };
  if (bad.reason === "not_json") {
    throw new ChatlogError("NOT_SERIALIZABLE", `event.${field} is not plain JSON at ${bad.path}`, {
      details,
    });
  }
  const why =
    bad.reason === "too_deep"
      ? `is nested more than ${MAX_JSON_DEPTH} levels deep at ${bad.path}`
      : bad.reason === "nul"
        ? `contains a NUL character (U+0000) at ${bad.path}, which Postgres cannot store`
        : `contains a lone UTF-16 surrogate at ${bad.path}`;
  throw new ChatlogError("INVALID_EVENT", `event.${field} ${why}`, { details });
}

function validateContent(value: unknown): Content {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return wellFormed("content", value);
  if (!Array.isArray(value)) throw invalid("content", "must be a string, an array of parts, or null");
  value.forEach((part, i) => {
    if (!isPlainObject(part) || typeof part.type !== "string") {
      throw invalid(`content[${i}]`, "must be an object with a string type");
    }
    if (part.type === "text" && typeof part.text !== "string") {
      throw invalid(`content[${i}].text`, "must be a string");
    }
  });
  jsonField("content", value);
  return value as Content;
}

function validateToolCalls(value: unknown): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid("toolCalls", "must be an array");
  return value.map((call, i) => {
    if (!isPlainObject(call)) throw invalid(`toolCalls[${i}]`, "must be an object");
    if (typeof call.id !== "string" || call.id.length === 0) {
      throw invalid(`toolCalls[${i}].id`, "must be a non-empty string");
    }
    if (typeof call.name !== "string" || call.name.length === 0) {
      throw invalid(`toolCalls[${i}].name`, "must be a non-empty string");
    }
    wellFormed(`toolCalls[${i}].id`, call.id);
    wellFormed(`toolCalls[${i}].name`, call.name);
    const args = call.arguments === undefined ? {} : call.arguments;
    jsonField(`toolCalls[${i}].arguments`, args);
    return { id: call.id, name: call.name, arguments: args as JsonValue };
  });
}

function validateUsage(value: unknown): Usage | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) throw invalid("usage", "must be an object of token counts or null");
  const usage: Usage = {};
  for (const [key, count] of Object.entries(value)) {
    if (count === undefined) continue;
    if (typeof count !== "number" || !Number.isFinite(count) || count < 0) {
      throw invalid(`usage.${key}`, "must be a non-negative number");
    }
    usage[key] = count;
  }
  return usage;
}

/**
 * Validates what a caller passed to `addEvent` and fills the defaults (id, createdAt, extra).
 * Throws ChatlogError; never returns a partly valid event.
 */
export function validateEvent(input: unknown): ValidEvent {
  if (!isPlainObject(input)) {
    throw new ChatlogError("INVALID_EVENT", "event must be a plain object");
  }
  for (const key of Object.keys(input)) {
    if (!EVENT_FIELDS.has(key)) throw invalid(key, "is not a known field");
  }
  const event = input as Record<string, unknown> & Partial<NewChatEvent>;

  const conversationId = eventId(event.conversationId, "conversationId");
  if (typeof event.type !== "string" || !TYPE_SET.has(event.type)) {
    throw new ChatlogError("UNKNOWN_EVENT_TYPE", `event.type must be one of ${EVENT_TYPES.join(", ")}`, {
      details: { field: "type", value: String(event.type) },
    });
  }
  const role = event.role ?? null;
  if (role !== null && !ROLE_SET.has(role))
    throw invalid("role", `must be one of ${ROLES.join(", ")} or null`);

  const id = event.id === undefined ? uuidv7() : eventId(event.id, "id");

  const schemaVersion = event.schemaVersion ?? SCHEMA_VERSION;
  if (schemaVersion !== SCHEMA_VERSION) throw invalid("schemaVersion", `must be ${SCHEMA_VERSION}`);

  let tokenCount: number | null = null;
  if (event.tokenCount !== undefined && event.tokenCount !== null) {
    if (!Number.isSafeInteger(event.tokenCount) || event.tokenCount < 0) {
      throw invalid("tokenCount", "must be a non-negative integer or null");
    }
    tokenCount = event.tokenCount;
  }

  let createdAt: Date;
  if (event.createdAt === undefined) createdAt = new Date();
  else if (event.createdAt instanceof Date && Number.isFinite(event.createdAt.getTime())) {
    createdAt = event.createdAt;
  } else throw invalid("createdAt", "must be a valid Date");

  let extra: JsonObject = {};
  if (event.extra !== undefined) {
    if (!isPlainObject(event.extra)) throw invalid("extra", "must be a plain object");
    jsonField("extra", event.extra);
    extra = event.extra;
    // The keys the repository indexes and looks up by are ids like any other.
    for (const key of ["request_id", "user_request_id"] as const) {
      const value = extra[key];
      if (value !== undefined && value !== null) eventId(value, `extra.${key}`);
    }
  }
  if (event.raw !== undefined) jsonField("raw", event.raw);

  return {
    id,
    conversationId,
    schemaVersion,
    type: event.type as EventType,
    role: role as Role | null,
    content: validateContent(event.content),
    toolCalls: validateToolCalls(event.toolCalls),
    usage: validateUsage(event.usage),
    provider: optionalString(event, "provider"),
    model: optionalString(event, "model"),
    stopReason: optionalString(event, "stopReason"),
    tokenCount,
    createdAt,
    extra,
    raw: event.raw as JsonValue | undefined,
  };
}
