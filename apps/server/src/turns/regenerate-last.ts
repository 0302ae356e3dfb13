import { loadUIMessages } from "@chatlog/ai-sdk";
import { ChatlogError, type ChatRepository } from "@chatlog/core";
import type { TurnRequest } from "./turn-service.ts";

/**
 * Only the conversation's last reply can be regenerated, as the AI SDK's client does (issue 15,
 * defect 6): the conversation must end with the user message being answered again, or with its
 * reply. A regenerated reply then takes its turn's place in every view (page, /messages,
 * history, model input), because that place is the end. Anything else is NOT_LAST_REPLY (409),
 * with nothing written.
 */
export async function assertRegeneratesLastReply(repo: ChatRepository, request: TurnRequest): Promise<void> {
  // A user message not stored yet is appended now, so its reply is in place whatever comes first.
  if ((await repo.getEventByRequestId(request.conversationId, request.requestId)) === null) return;
  const { messages } = await loadUIMessages(repo, request.conversationId, { limit: 2 });
  const last = messages.at(-1);
  const endsWithTurn =
    last?.id === request.requestId ||
    (last?.role === "assistant" && messages.at(-2)?.id === request.requestId);
  if (endsWithTurn) return;
  throw new ChatlogError(
    "NOT_LAST_REPLY",
    "only the conversation's last reply can be regenerated; later messages answer the conversation as it was",
    { details: { conversationId: request.conversationId, requestId: request.requestId } },
  );
}
