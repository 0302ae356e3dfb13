import type { JsonObject, JsonValue } from "./json.ts";
import { assistantReplyKey } from "./request-keys.ts";

export const EVENT_TYPES = [
  "user_message",
  "assistant_message",
  "tool_call",
  "tool_result",
  "system_update",
  "meta",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ROLES = ["system", "user", "assistant", "tool"] as const;
export type Role = (typeof ROLES)[number];

/** A text part; other part types (images, files) are kept as opaque JSON objects. */
export interface TextPart {
  type: "text";
  text: string;
}
export type ContentPart = TextPart | { type: string; [key: string]: JsonValue };
export type Content = string | ContentPart[] | null;

export interface ToolCall {
  id: string;
  name: string;
  /** The call's arguments: usually an object; OpenAI-style JSON strings are kept as given. */
  arguments: JsonValue;
}

/** Token counts as reported by the provider; keys are the provider's (e.g. inputTokens). */
export type Usage = Record<string, number>;

/**
 * The highest seq a conversation may reach: 2^50, far enough below 2^53 that every seq, and
 * every seq + 1 computed on the way, is an exact integer in JavaScript. An import may not bring
 * a higher seq, and a write that would pass it is refused with SEQ_LIMIT.
 */
export const MAX_SEQ = 2 ** 50;

export interface ChatEvent {
  id: string;
  conversationId: string;
  /** Position in the conversation, assigned by the repository, never reused. */
  seq: number;
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
  raw: JsonValue;
  /**
   * Present only on rows that could not be fully decoded (written by another program or damaged):
   * the names of the fields that fell back to their defaults. The rest of the event is intact.
   */
  corruptFields?: string[];
}

/** What a caller hands to `addEvent`; the repository fills in the rest. */
export interface NewChatEvent {
  id?: string;
  conversationId: string;
  type: EventType;
  role?: Role | null;
  content?: Content;
  toolCalls?: ToolCall[];
  usage?: Usage | null;
  provider?: string | null;
  model?: string | null;
  stopReason?: string | null;
  tokenCount?: number | null;
  createdAt?: Date;
  extra?: JsonObject;
  raw?: JsonValue;
  schemaVersion?: number;
  /** Ignored: the repository assigns `seq`. Accepted so stored events can be passed back in. */
  seq?: number;
  /** Ignored, as on stored events. */
  corruptFields?: string[];
}

export const SCHEMA_VERSION = 1;

/** `extra` keys with a meaning to the repository. */
export const EXTRA_KEYS = {
  requestId: "request_id",
  userRequestId: "user_request_id",
  toolCallId: "tool_call_id",
  visibleToModel: "visible_to_model",
  kind: "kind",
} as const;

export const ASSISTANT_DELTA_KIND = "assistant_delta";

/** The idempotency key of the (first) assistant reply to user request `userRequestId`. */
export function assistantRequestId(userRequestId: string): string {
  return assistantReplyKey(userRequestId);
}

export function requestIdOf(event: { extra?: JsonObject }): string | null {
  const value = event.extra?.[EXTRA_KEYS.requestId];
  return typeof value === "string" ? value : null;
}
