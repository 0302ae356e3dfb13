import { ASSISTANT_DELTA_KIND, type ChatEvent } from "./events.ts";
import type { JsonObject } from "./json.ts";
import { contentToText } from "./llm-conversation.ts";

/**
 * The `extra` key of a compacted reply that remembers where its tool calls came in its text:
 * `{ [toolCallId]: offset }`, the number of characters of the reply streamed before that call.
 * Compaction folds every delta of a turn into one text and removes them, so without this a
 * reader could not tell "Let me check. <tool call> It is noon." from "<tool call> Let me check.
 * It is noon." Only calls with text before them are listed; absent means every call came first.
 */
export const TEXT_OFFSETS_EXTRA = "text_offsets";

/** Counts streamed text and records the offset of each tool call, as a turn is written. */
export class TextOffsetTracker {
  private length = 0;
  private readonly offsets: Record<string, number> = {};

  text(chunk: string): void {
    this.length += chunk.length;
  }

  toolCall(toolCallId: string): void {
    if (this.length > 0 && !Object.hasOwn(this.offsets, toolCallId)) this.offsets[toolCallId] = this.length;
  }

  /** `{ text_offsets }` for the reply's extra, or nothing when no call had text before it. */
  extra(): JsonObject {
    return Object.keys(this.offsets).length > 0 ? { [TEXT_OFFSETS_EXTRA]: { ...this.offsets } } : {};
  }

  /** The same from a turn's stored events (deltas and tool calls, in seq order). */
  static of(events: readonly ChatEvent[]): TextOffsetTracker {
    const tracker = new TextOffsetTracker();
    for (const event of events) {
      if (event.type === "meta" && event.extra.kind === ASSISTANT_DELTA_KIND) {
        tracker.text(contentToText(event.content));
      } else if (event.type === "tool_call") {
        for (const call of event.toolCalls) tracker.toolCall(call.id);
      }
    }
    return tracker;
  }
}

/** The offsets a compacted reply recorded (malformed entries are ignored). */
export function textOffsetsOf(reply: ChatEvent): Map<string, number> {
  const offsets = new Map<string, number>();
  const value = reply.extra[TEXT_OFFSETS_EXTRA];
  if (value === null || typeof value !== "object" || Array.isArray(value)) return offsets;
  for (const [callId, offset] of Object.entries(value)) {
    if (typeof offset === "number" && Number.isSafeInteger(offset) && offset > 0) offsets.set(callId, offset);
  }
  return offsets;
}
