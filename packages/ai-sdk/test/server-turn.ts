import {
  ASSISTANT_DELTA_KIND,
  type ChatRepository,
  type JsonObject,
  type JsonValue,
  toolCallKey,
  toolResultKey,
} from "@chatlog/core";
import {
  type LanguageModel,
  readUIMessageStream,
  stepCountIs,
  streamText,
  type ToolSet,
  type UIMessage,
} from "ai";

/**
 * Writes one turn the way the server's turn service does (apps/server/src/turns/turn-store.ts
 * and generate.ts): the user message through handleUserMessagePersistence, a meta row per burst
 * of text deltas, a tool_call and a tool_result event per tool call, then compactDeltas with the
 * whole text. Every row carries the turn's user_request_id and, as the UIMessage contract asks,
 * the assistant message id (`extra.message_id`), fixed before the first chunk.
 */
export async function writeServerTurn(input: {
  repo: ChatRepository;
  conversationId: string;
  userRequestId: string;
  messageId?: string;
  content: string;
  model: LanguageModel;
  tools?: ToolSet;
  /** Stop before compaction: the turn is still generating (or its process died). */
  stopBeforeFinish?: boolean;
  abortAfterChunks?: number;
}): Promise<UIMessage | undefined> {
  const { repo, conversationId, userRequestId } = input;
  const ids: JsonObject = { user_request_id: userRequestId };
  if (input.messageId !== undefined) ids.message_id = input.messageId;
  await repo.handleUserMessagePersistence(conversationId, input.content, userRequestId);
  const result = streamText({
    model: input.model,
    prompt: input.content,
    ...(input.tools ? { tools: input.tools } : {}),
    stopWhen: stepCountIs(5),
  });
  // What the SDK's own client code makes of the same generation, for comparison.
  const sdkMessage = lastMessage(
    readUIMessageStream({
      stream: result.toUIMessageStream({ generateMessageId: () => input.messageId ?? "" }),
    }),
  );
  let text = "";
  let pending = "";
  const writes: Promise<unknown>[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    writes.push(
      repo.addEvent({
        conversationId,
        type: "meta",
        role: "assistant",
        content: pending,
        extra: { kind: ASSISTANT_DELTA_KIND, ...ids },
      }),
    );
    pending = "";
  };
  let chunks = 0;
  for await (const part of result.fullStream) {
    if (input.abortAfterChunks !== undefined && chunks++ >= input.abortAfterChunks) break;
    if (part.type === "text-delta") {
      text += part.text;
      pending += part.text;
    } else if (part.type === "finish-step") flush();
    else if (part.type === "tool-call") {
      flush();
      writes.push(
        repo.addEvent({
          conversationId,
          type: "tool_call",
          role: "assistant",
          content: null,
          toolCalls: [{ id: part.toolCallId, name: part.toolName, arguments: part.input as JsonValue }],
          extra: { ...ids, request_id: toolCallKey(userRequestId, part.toolCallId) },
        }),
      );
    } else if (part.type === "tool-result") {
      flush();
      const output = part.output as JsonValue;
      writes.push(
        repo.addEvent({
          conversationId,
          type: "tool_result",
          role: "tool",
          content: typeof output === "string" ? output : JSON.stringify(output),
          extra: {
            ...ids,
            tool_call_id: part.toolCallId,
            tool_name: part.toolName,
            request_id: toolResultKey(userRequestId, part.toolCallId),
          },
        }),
      );
    }
  }
  flush();
  await Promise.all(writes);
  if (input.stopBeforeFinish) return undefined;
  const interrupted = input.abortAfterChunks !== undefined;
  await repo.compactDeltas(conversationId, userRequestId, text, "scripted", {
    ...(input.messageId !== undefined ? { message_id: input.messageId } : {}),
    ...(interrupted ? { interrupted: true } : {}),
  });
  return interrupted ? undefined : sdkMessage;
}

async function lastMessage(messages: AsyncIterable<UIMessage>): Promise<UIMessage | undefined> {
  let last: UIMessage | undefined;
  for await (const message of messages) last = message;
  return last;
}
