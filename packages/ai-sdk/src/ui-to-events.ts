import {
  type ContentPart,
  type JsonObject,
  type JsonValue,
  type NewChatEvent,
  uiPartsKey,
  uiToolResultKey,
} from "@chatlog/core";
import type { UIMessage } from "ai";
import { UI_EXTRA } from "./stored-extra.ts";
import { hasCall, isTerminal, isToolPart, resultTextOf, toolCallOf, toolNameOf } from "./tool-parts.ts";

type Part = UIMessage["parts"][number];

/** The message's metadata as an `extra` entry (none when the message has none). */
export function metadataExtra(message: UIMessage): JsonObject {
  return message.metadata === undefined ? {} : { [UI_EXTRA.metadata]: message.metadata as JsonValue };
}

/** A user message: one user_message event whose request id is the message id (contract point 1). */
export function userMessageEvent(conversationId: string, message: UIMessage): NewChatEvent {
  return {
    conversationId,
    type: "user_message",
    role: "user",
    content: message.parts as unknown as ContentPart[],
    extra: {
      request_id: message.id,
      [UI_EXTRA.rev]: 0,
      [UI_EXTRA.from]: 0,
      ...metadataExtra(message),
    },
  };
}

/**
 * One revision of an assistant (or system) message: the parts from index `from` on, stored as
 * they are (so every part type round-trips), with the calls of its tool parts in `toolCalls`
 * and one tool_result per finished tool part, so that the model-facing history
 * (getConversationHistory, buildLlmConversation) pairs each call with its result. The events
 * are written together (one transaction); every one has its own idempotency key, so saving the
 * same revision twice, even from two processes at once, stores it once.
 */
export function revisionEvents(
  conversationId: string,
  message: UIMessage,
  rev: number,
  from: number,
  extra: JsonObject = {},
): NewChatEvent[] {
  const parts = message.parts.slice(from) as Part[];
  const toolParts = parts.filter((part) => isToolPart(part));
  const base = { [UI_EXTRA.messageId]: message.id, ...extra };
  const head: NewChatEvent = {
    conversationId,
    type: message.role === "system" ? "system_update" : "assistant_message",
    role: message.role,
    content: parts as unknown as ContentPart[],
    toolCalls: toolParts.filter(hasCall).map(toolCallOf),
    extra: {
      ...base,
      request_id: uiPartsKey(message.id, rev),
      [UI_EXTRA.rev]: rev,
      [UI_EXTRA.from]: from,
      ...metadataExtra(message),
      ...(message.role === "system" ? { visible_to_model: true } : {}),
    },
  };
  const results: NewChatEvent[] = toolParts.filter(isTerminal).map((part) => ({
    conversationId,
    type: "tool_result",
    role: "tool",
    content: resultTextOf(part),
    extra: {
      ...base,
      request_id: uiToolResultKey(message.id, part.toolCallId),
      tool_call_id: part.toolCallId,
      tool_name: toolNameOf(part),
      [UI_EXTRA.mirror]: true,
    },
  }));
  return [head, ...results];
}
