import { attemptOf, isDelta, messageIdOf } from "@chatlog/ai-sdk";
import { type ChatEvent, contentToText, type JsonValue } from "@chatlog/core";
import type { TurnBroadcast } from "./turn-broadcast.ts";

function parsed(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** Sends a stored tool_call / tool_result event as the same items a live turn sends. */
export function emitStoredToolEvent(event: ChatEvent, out: TurnBroadcast): void {
  if (event.type === "tool_call") {
    for (const call of event.toolCalls) {
      out.push({ type: "tool_call", id: call.id, name: call.name, arguments: call.arguments });
    }
  } else if (event.type === "tool_result") {
    out.push({
      type: "tool_result",
      toolCallId: String(event.extra.tool_call_id ?? ""),
      name: String(event.extra.tool_name ?? ""),
      result: parsed(contentToText(event.content)),
    });
  }
}

/** Sends a stored delta or tool event of a turn in progress as the item a live turn sent. */
export function emitStoredEvent(event: ChatEvent, out: TurnBroadcast): void {
  if (isDelta(event)) out.push({ type: "delta", text: contentToText(event.content) });
  else emitStoredToolEvent(event, out);
}

/** The done item of a stored reply. */
export function storedDone(reply: ChatEvent) {
  return {
    type: "done" as const,
    eventId: reply.id,
    seq: reply.seq,
    content: contentToText(reply.content),
    interrupted: reply.extra.interrupted === true,
    stopped: reply.extra.stopped === true,
  };
}

/**
 * A turn answered before: its tool events and reply, from storage, with no model call.
 * `turnEvents` are the turn's events (getTurnEvents); only the reply's attempt is replayed.
 */
export function replayStored(reply: ChatEvent, turnEvents: readonly ChatEvent[], out: TurnBroadcast): void {
  const attempt = attemptOf(reply);
  out.push({
    type: "ready",
    replay: true,
    source: "stored",
    messageId: messageIdOf(reply) ?? reply.id,
    attempt,
  });
  for (const event of turnEvents) if (attemptOf(event) === attempt) emitStoredToolEvent(event, out);
  const content = contentToText(reply.content);
  if (content.length > 0) out.push({ type: "delta", text: content });
  out.push(storedDone(reply));
}
