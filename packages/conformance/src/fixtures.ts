import type { ChatEvent } from "@chatlog/core";

/**
 * A complete stored event, as an export carries it (and importEvents takes it): the fields given
 * over the empty defaults of a user message. For tests that build many events to import.
 */
export function exportedEvent(
  fields: Pick<ChatEvent, "id" | "conversationId" | "seq" | "createdAt"> & Partial<ChatEvent>,
): ChatEvent {
  return {
    schemaVersion: 1,
    type: "user_message",
    role: "user",
    content: null,
    toolCalls: [],
    usage: null,
    provider: null,
    model: null,
    stopReason: null,
    tokenCount: null,
    extra: {},
    raw: null,
    ...fields,
  };
}
