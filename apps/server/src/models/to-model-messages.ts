import type { LlmMessage } from "@chatlog/core";
import type { AssistantModelMessage, ModelMessage, ToolModelMessage } from "ai";

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A provider that sent arguments that are not JSON gets them back as they were.
    return text;
  }
}

/**
 * Converts the OpenAI-format messages of repo.buildLlmConversation into AI SDK ModelMessages:
 * an assistant message's tool_calls become tool-call parts, and each tool message becomes a
 * tool-result part carrying the tool name of the call it answers (the AI SDK needs the name; the
 * OpenAI format only has the call id). Consecutive tool messages share one tool message.
 */
export function toModelMessages(messages: readonly LlmMessage[]): ModelMessage[] {
  const toolNameById = new Map<string, string>();
  const out: ModelMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "system":
      case "user":
        out.push({ role: message.role, content: message.content });
        break;
      case "assistant": {
        const calls = message.tool_calls ?? [];
        if (calls.length === 0) {
          out.push({ role: "assistant", content: message.content ?? "" });
          break;
        }
        const content: Exclude<AssistantModelMessage["content"], string> = [];
        if (message.content) content.push({ type: "text", text: message.content });
        for (const call of calls) {
          toolNameById.set(call.id, call.function.name);
          content.push({
            type: "tool-call",
            toolCallId: call.id,
            toolName: call.function.name,
            input: parseArguments(call.function.arguments),
          });
        }
        out.push({ role: "assistant", content });
        break;
      }
      case "tool": {
        const toolName = toolNameById.get(message.tool_call_id);
        // buildLlmConversation never emits a result without its call; if one slips through, a
        // provider would reject it, so it is dropped here rather than sent with a made-up name.
        if (toolName === undefined) break;
        const part: ToolModelMessage["content"][number] = {
          type: "tool-result",
          toolCallId: message.tool_call_id,
          toolName,
          output: { type: "text", value: message.content },
        };
        const previous = out.at(-1);
        if (previous?.role === "tool") previous.content.push(part);
        else out.push({ role: "tool", content: [part] });
        break;
      }
      default:
        break;
    }
  }
  return out;
}
