import { ASSISTANT_DELTA_KIND, type ChatRepository, contentToText } from "@chatlog/core";
import type { Logger } from "../logging.ts";

/**
 * Finalizes turns a previous process left mid-stream (it crashed or was killed): each one's
 * persisted deltas, joined in seq order, become its reply, marked interrupted, and the deltas
 * are removed, so no conversation keeps orphan deltas. Returns how many turns were finalized.
 */
export async function recoverUnfinishedTurns(repo: ChatRepository, logger: Logger): Promise<number> {
  const turns = await repo.listUnfinishedTurns();
  for (const turn of turns) {
    const events = await repo.getTurnEvents(turn.conversationId, turn.userRequestId);
    const deltas = events.filter((e) => e.type === "meta" && e.extra.kind === ASSISTANT_DELTA_KIND);
    const text = deltas.map((e) => contentToText(e.content)).join("");
    const model = deltas.find((e) => e.model !== null)?.model ?? null;
    const reply = await repo.compactDeltas(turn.conversationId, turn.userRequestId, text, model, {
      interrupted: true,
    });
    logger.warn("finalized an interrupted turn", {
      conversationId: turn.conversationId,
      requestId: turn.userRequestId,
      deltas: deltas.length,
      replyId: reply.id,
    });
  }
  return turns.length;
}
