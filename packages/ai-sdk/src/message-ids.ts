import { type ChatEvent, ChatlogError, type ChatRepository, uiPartsKey } from "@chatlog/core";
import type { UIMessage } from "ai";
import { foldUserMessage } from "./fold-message.ts";
import { sameJson } from "./same-json.ts";

/**
 * Who owns a message id (issue 15, defects 4 and 5), written once for saveUIMessage,
 * streamChatTurn and the server's turns: the first writer's kind. An assistant message a turn
 * makes has an id in chatlog's namespace (turnMessageId), which no user message may take
 * (assertClientRequestId); the checks below cover ids an app chose itself for the messages it
 * saves. A clash is REQUEST_ID_CONFLICT and writes nothing.
 */
function conflict(conversationId: string, id: string, message: string): ChatlogError {
  return new ChatlogError("REQUEST_ID_CONFLICT", message, {
    details: { conversationId, requestId: id, field: "message.id" },
  });
}

/** A user message may not take the id of an assistant message saved with saveUIMessage. */
export async function assertUserMessageIdFree(
  repo: ChatRepository,
  conversationId: string,
  id: string,
): Promise<void> {
  if ((await repo.getEventByRequestId(conversationId, uiPartsKey(id, 0))) !== null) {
    throw conflict(conversationId, id, `message id ${id} is an assistant message's id in this conversation`);
  }
}

/** An assistant message may not take the id (the request id) of a stored user message or event. */
export async function assertAssistantMessageIdFree(
  repo: ChatRepository,
  conversationId: string,
  id: string,
): Promise<void> {
  if ((await repo.getEventByRequestId(conversationId, id)) !== null) {
    throw conflict(conversationId, id, `message id ${id} is a user message's id in this conversation`);
  }
}

/**
 * A user message found stored under its id (a retry) must be the same message: the same id with
 * other content would replay the old reply to a new question.
 */
export function assertSameUserMessage(stored: ChatEvent, message: UIMessage, conversationId: string): void {
  if (stored.type === "user_message" && sameJson(foldUserMessage(stored).parts, message.parts)) return;
  throw conflict(
    conversationId,
    message.id,
    `request id ${message.id} was already used in this conversation for a different ${stored.type === "user_message" ? "message" : "event"}`,
  );
}
