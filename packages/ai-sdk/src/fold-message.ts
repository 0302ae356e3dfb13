import { type ChatEvent, contentToText, requestIdOf, textOffsetsOf } from "@chatlog/core";
import type { UIMessage } from "ai";
import { replyMarks, revisionOf, UI_EXTRA } from "./stored-extra.ts";
import { isTerminal, isToolPart } from "./tool-parts.ts";

type Part = UIMessage["parts"][number];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A copy, so that callers may change loaded messages without touching anything shared. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

/** A user message as the SDK sent it (stored parts), or as text for rows written without parts. */
export function foldUserMessage(event: ChatEvent): UIMessage {
  const revision = revisionOf(event);
  let parts: Part[];
  if (revision !== null) parts = copy(revision.parts) as unknown as Part[];
  else {
    const text = contentToText(event.content);
    parts = [{ type: "text", text }];
  }
  const message: UIMessage = { id: requestIdOf(event) ?? event.id, role: "user", parts };
  if (Object.hasOwn(event.extra, UI_EXTRA.metadata)) message.metadata = copy(event.extra[UI_EXTRA.metadata]);
  return message;
}

/** A tool's stored result: the server keeps JSON text, or the string itself for string results. */
function parseResult(event: ChatEvent): unknown {
  const text = contentToText(event.content);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Builds one assistant (or system) message from its events, in seq order.
 *
 * A revision (a `ui_rev` event) holds parts exactly as the SDK produced them and replaces
 * everything from its `ui_from` index on; events after the last revision are a generation still
 * in flight (or a server turn, which has no revisions) and are turned into the parts the SDK's
 * stream would have built: a `step-start` per step, text from the deltas (state "streaming"
 * until the reply is final), a `tool-<name>` part per call that becomes output-available with its
 * result, and the compacted reply's text (state "done").
 */
export function foldReply(id: string, events: readonly ChatEvent[]): UIMessage | null {
  let parts: Part[] = [];
  let role: UIMessage["role"] = "assistant";
  let metadata: unknown;
  let hasRevision = false;
  let openText: Mutable<Extract<Part, { type: "text" }>> | null = null;
  let needStep = true;
  let interrupted = false;
  let stopped = false;

  const openStep = () => {
    if (needStep) parts.push({ type: "step-start" });
    needStep = false;
  };
  const closeText = () => {
    if (openText !== null) openText.state = "done";
    openText = null;
  };
  const toolPartAt = (toolCallId: string) =>
    parts.findLastIndex((part) => isToolPart(part) && part.toolCallId === toolCallId);
  const addCalls = (event: ChatEvent) => {
    for (const call of event.toolCalls) {
      if (toolPartAt(call.id) !== -1) continue;
      openStep();
      const input = copy(call.arguments);
      parts.push({ type: `tool-${call.name}`, toolCallId: call.id, state: "input-available", input });
    }
  };

  for (const event of events) {
    const revision = revisionOf(event);
    if (revision !== null && (event.type === "assistant_message" || event.type === "system_update")) {
      parts = [...parts.slice(0, revision.from), ...(copy(revision.parts) as unknown as Part[])];
      role = event.type === "system_update" ? "system" : "assistant";
      metadata = Object.hasOwn(event.extra, UI_EXTRA.metadata)
        ? copy(event.extra[UI_EXTRA.metadata])
        : undefined;
      hasRevision = true;
      openText = null;
      needStep = true;
      if (event.extra[UI_EXTRA.interrupted] === true) interrupted = true;
      continue;
    }
    if (event.extra[UI_EXTRA.mirror] === true) continue;
    switch (event.type) {
      case "meta": {
        if (event.extra.kind !== "assistant_delta") break;
        const text = contentToText(event.content);
        if (text.length === 0) break;
        if (openText !== null) openText.text += text;
        else {
          openStep();
          openText = { type: "text", text, state: "streaming" };
          parts.push(openText);
        }
        break;
      }
      case "tool_call":
        closeText();
        addCalls(event);
        break;
      case "tool_result": {
        const callId = event.extra.tool_call_id;
        const at = typeof callId === "string" ? toolPartAt(callId) : -1;
        const part = parts[at];
        if (part === undefined || !isToolPart(part) || isTerminal(part)) break;
        closeText();
        parts[at] = { ...part, state: "output-available", output: parseResult(event) } as Part;
        needStep = true;
        break;
      }
      case "assistant_message": {
        // The compacted reply of a server turn: its text replaces the deltas (deleted with it).
        closeText();
        const text = contentToText(event.content);
        const { parts: placed, consumed } = placeTextBeforeCalls(parts, text, textOffsetsOf(event));
        parts = placed;
        const rest = text.slice(consumed);
        if (rest.length > 0) {
          openStep();
          parts.push({ type: "text", text: rest, state: "done" });
        }
        addCalls(event);
        if (event.extra[UI_EXTRA.interrupted] === true) interrupted = true;
        if (event.extra[UI_EXTRA.stopped] === true) stopped = true;
        break;
      }
      default:
        break;
    }
  }
  // Only results whose calls are gone (nothing to show them on).
  if (
    !hasRevision &&
    parts.length === 0 &&
    !events.some((e) => e.type === "assistant_message" || e.type === "meta")
  ) {
    return null;
  }
  const message: UIMessage = { id, role, parts };
  if (metadata !== undefined) message.metadata = metadata;
  // A server turn has no metadata of its own; say that it was cut short or stopped, for the UI.
  else if ((interrupted || stopped) && !hasRevision) message.metadata = replyMarks(interrupted, stopped);
  return message;
}

/**
 * Puts back the text a server turn streamed before its tool calls: the compacted reply holds the
 * whole text, and `text_offsets` says how much of it came before each call. Each such piece goes
 * just before its call's part, inside the same step, where the SDK's own stream put it.
 */
function placeTextBeforeCalls(
  parts: Part[],
  text: string,
  offsets: Map<string, number>,
): { parts: Part[]; consumed: number } {
  if (offsets.size === 0) return { parts, consumed: 0 };
  let consumed = 0;
  const placed: Part[] = [];
  for (const part of parts) {
    const at = isToolPart(part) ? offsets.get(part.toolCallId) : undefined;
    if (at !== undefined && at > consumed && at <= text.length) {
      placed.push({ type: "text", text: text.slice(consumed, at), state: "done" });
      consumed = at;
    }
    placed.push(part);
  }
  return { parts: placed, consumed };
}
