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
import { findNonJson, isPlainObject, type JsonObject, type JsonValue } from "./json.ts";
import { uuidv7 } from "./uuid.ts";

/** Longest id (event id, conversation id, request id) accepted, in characters. */
export const MAX_ID_LENGTH = 512;

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

/** Checks an id-like argument (conversation id, request id): a non-empty string of bounded length. */
export function assertId(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      `${name} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
      { details: { field: name } },
    );
  }
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
  return value;
}

function jsonField(field: string, value: unknown): void {
  const bad = findNonJson(value);
  if (bad !== null) {
    throw new ChatlogError("NOT_SERIALIZABLE", `event.${field} is not plain JSON at ${bad}`, {
      details: { field, path: bad },
    });
  }
}

function validateContent(value: unknown): Content {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
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

  if (typeof event.conversationId !== "string" || event.conversationId.length === 0) {
    throw invalid("conversationId", "must be a non-empty string");
  }
  if (event.conversationId.length > MAX_ID_LENGTH) {
    throw invalid("conversationId", `must be at most ${MAX_ID_LENGTH} characters`);
  }
  if (typeof event.type !== "string" || !TYPE_SET.has(event.type)) {
    throw new ChatlogError("UNKNOWN_EVENT_TYPE", `event.type must be one of ${EVENT_TYPES.join(", ")}`, {
      details: { field: "type", value: String(event.type) },
    });
  }
  const role = event.role ?? null;
  if (role !== null && !ROLE_SET.has(role))
    throw invalid("role", `must be one of ${ROLES.join(", ")} or null`);

  let id: string;
  if (event.id === undefined) id = uuidv7();
  else if (typeof event.id === "string" && event.id.length > 0 && event.id.length <= MAX_ID_LENGTH)
    id = event.id;
  else throw invalid("id", `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);

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
    const requestId = extra.request_id;
    if (requestId !== undefined && requestId !== null) {
      if (typeof requestId !== "string" || requestId.length === 0 || requestId.length > MAX_ID_LENGTH) {
        throw invalid(
          "extra.request_id",
          `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
        );
      }
    }
  }
  if (event.raw !== undefined) jsonField("raw", event.raw);

  return {
    id,
    conversationId: event.conversationId,
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
