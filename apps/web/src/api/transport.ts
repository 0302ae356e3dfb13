import { DefaultChatTransport, type UIMessage } from "ai";
import { authorizedFetch } from "./http.ts";

/**
 * useChat's transport to the server's AI SDK routes: `POST /api/chat` and, for `resume: true`,
 * `GET /api/chat/{id}/stream`, both with the stored token. Only the newest message is sent: the
 * server holds the history and answers from its own copy, so a long chat costs one message per
 * request (the persistence guide's `prepareSendMessagesRequest`).
 */
export function createTransport(): DefaultChatTransport<UIMessage> {
  return new DefaultChatTransport<UIMessage>({
    api: "/api/chat",
    fetch: authorizedFetch,
    prepareSendMessagesRequest: ({ id, messages, trigger, messageId, body, headers }) => ({
      ...(headers === undefined ? {} : { headers }),
      body: { ...body, id, messages: messages.slice(-1), trigger, messageId },
    }),
  });
}
