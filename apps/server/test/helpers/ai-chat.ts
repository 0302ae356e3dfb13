import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from "ai";

/** The AI SDK's own client transport, pointed at a chatlog server. */
export function transport(baseUrl: string, headers: Record<string, string> = {}) {
  return new DefaultChatTransport<UIMessage>({ api: `${baseUrl}/api/chat`, headers });
}

export function userMessage(id: string, text: string): UIMessage {
  return { id, role: "user", parts: [{ type: "text", text }] };
}

/** Folds a UI message stream with the SDK's readUIMessageStream; returns the last state and the chunks. */
export async function collect(
  stream: ReadableStream<UIMessageChunk>,
): Promise<{ message: UIMessage | undefined; chunks: UIMessageChunk[] }> {
  const chunks: UIMessageChunk[] = [];
  const tapped = stream.pipeThrough(
    new TransformStream<UIMessageChunk, UIMessageChunk>({
      transform(chunk, controller) {
        chunks.push(chunk);
        controller.enqueue(chunk);
      },
    }),
  );
  let message: UIMessage | undefined;
  for await (const state of readUIMessageStream({ stream: tapped })) message = structuredClone(state);
  return { message, chunks };
}

/** Sends one user message the way useChat does (only the last message, as the persistence guide suggests). */
export async function send(
  baseUrl: string,
  chatId: string,
  message: UIMessage,
  options: {
    trigger?: "submit-message" | "regenerate-message";
    messageId?: string | undefined;
    signal?: AbortSignal;
  } = {},
) {
  const stream = await transport(baseUrl).sendMessages({
    chatId,
    messages: [message],
    trigger: options.trigger ?? "submit-message",
    messageId: options.messageId,
    abortSignal: options.signal,
  });
  return collect(stream);
}

export async function storedMessages(baseUrl: string, chatId: string): Promise<UIMessage[]> {
  const response = await fetch(`${baseUrl}/api/chat/${encodeURIComponent(chatId)}/messages`);
  if (response.status !== 200) throw new Error(`messages: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { messages: UIMessage[] }).messages;
}
