import type { ChatEvent, Content, ToolCall } from "./events.ts";
import type { JsonValue } from "./json.ts";

/** OpenAI chat-completions message shapes. */
export type LlmMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: LlmToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

export interface LlmToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** Text the model sees for stored content: strings as they are, text parts joined by newlines. */
export function contentToText(content: Content): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content
    .filter(
      (part): part is { type: "text"; text: string } => part.type === "text" && typeof part.text === "string",
    )
    .map((part) => part.text)
    .join("\n");
}

function argumentsText(args: JsonValue): string {
  return typeof args === "string" ? args : JSON.stringify(args);
}

function toolCallIdOf(event: ChatEvent): string | null {
  const id = event.extra.tool_call_id;
  return typeof id === "string" && id.length > 0 ? id : null;
}

function isCallBearing(event: ChatEvent): boolean {
  return (event.type === "tool_call" || event.type === "assistant_message") && event.toolCalls.length > 0;
}

/**
 * Turns LLM-visible events (in seq order) into OpenAI messages.
 *
 * Tool calls are paired with their results: an assistant message carries only the calls whose
 * results are present, and each is followed directly by its results. A result whose call is not
 * in `events` (cut off by a history limit) and a call without any result (interrupted tool run)
 * are left out, because the API rejects both.
 */
export function eventsToLlmMessages(events: readonly ChatEvent[]): LlmMessage[] {
  const resultByCallId = new Map<string, ChatEvent>();
  for (const event of events) {
    if (event.type !== "tool_result") continue;
    const id = toolCallIdOf(event);
    if (id !== null && !resultByCallId.has(id)) resultByCallId.set(id, event);
  }

  const messages: LlmMessage[] = [];
  for (const event of events) {
    // Also applied here so that callers passing unfiltered events (getEvents) get the same list.
    if (!isLlmVisible(event)) continue;
    switch (event.type) {
      case "user_message":
        messages.push({ role: "user", content: contentToText(event.content) });
        break;
      case "system_update":
        messages.push({ role: "system", content: contentToText(event.content) });
        break;
      case "tool_result":
        // Emitted right after its call below; alone it would be rejected.
        break;
      case "assistant_message":
      case "tool_call": {
        if (!isCallBearing(event)) {
          if (event.type === "assistant_message") {
            messages.push({ role: "assistant", content: contentToText(event.content) });
          }
          break;
        }
        const answered = event.toolCalls.filter((call: ToolCall) => resultByCallId.has(call.id));
        const text = event.content === null ? null : contentToText(event.content);
        if (answered.length === 0) {
          if (text) messages.push({ role: "assistant", content: text });
          break;
        }
        messages.push({
          role: "assistant",
          content: text,
          tool_calls: answered.map((call) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: argumentsText(call.arguments) },
          })),
        });
        for (const call of answered) {
          const result = resultByCallId.get(call.id)!;
          // One result per call: a second result for the same id would be rejected.
          resultByCallId.delete(call.id);
          messages.push({ role: "tool", tool_call_id: call.id, content: contentToText(result.content) });
        }
        break;
      }
      default:
        break;
    }
  }
  return messages;
}

/** `[system, ...history, user]`, the list the seed's build_llm_conversation meant to produce. */
export function buildLlmMessages(
  systemPrompt: string,
  history: readonly ChatEvent[],
  userMsg: Content,
): LlmMessage[] {
  return [
    { role: "system", content: systemPrompt },
    ...eventsToLlmMessages(history),
    { role: "user", content: contentToText(userMsg) },
  ];
}

/** Whether an event is part of what the model sees (getConversationHistory's filter). */
export function isLlmVisible(event: Pick<ChatEvent, "type" | "extra">): boolean {
  switch (event.type) {
    case "user_message":
    case "assistant_message":
    case "tool_call":
    case "tool_result":
      return true;
    case "system_update":
      return event.extra.visible_to_model === true;
    default:
      return false;
  }
}
