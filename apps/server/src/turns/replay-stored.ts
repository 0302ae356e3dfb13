import { type ChatEvent, type ChatRepository, contentToText, type JsonValue } from "@chatlog/core";
import type { TurnBroadcast } from "./turn-broadcast.ts";

function parsed(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** Sends a stored tool_call / tool_result event as the same SSE items a live turn sends. */
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

/** A turn answered before: its tool events and reply, from storage, with no model call. */
export async function replayStored(
  repo: ChatRepository,
  reply: ChatEvent,
  out: TurnBroadcast,
): Promise<void> {
  out.push({ type: "ready", replay: true, source: "stored" });
  const userRequestId = String(reply.extra.user_request_id ?? "");
  if (userRequestId) {
    for (const event of await repo.getTurnEvents(reply.conversationId, userRequestId))
      emitStoredToolEvent(event, out);
  }
  const content = contentToText(reply.content);
  if (content.length > 0) out.push({ type: "delta", text: content });
  out.push({
    type: "done",
    eventId: reply.id,
    seq: reply.seq,
    content,
    interrupted: reply.extra.interrupted === true,
  });
}
