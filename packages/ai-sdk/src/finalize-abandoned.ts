import {
  type ChatEvent,
  type ChatRepository,
  contentToText,
  type HeldTurn,
  TextOffsetTracker,
} from "@chatlog/core";
import { eventsOfAttempt, isDelta, replyExtra, replyOf } from "./turn-attempts.ts";

/**
 * Takeover's one way of storing what a gone generator left, for the server's turns and
 * streamChatTurn alike. Stores the reply of a turn whose generator is gone, from what it persisted: its deltas, joined
 * in seq order, marked interrupted (the deltas are removed in the same batch). The caller holds
 * the turn's claim (`turn.ownerId`), and the compaction is conditional on still holding it, so a
 * finalizer that is itself paused and taken over stores nothing. Returns the stored reply (an
 * existing one if the turn was answered after all), or null when the generator left nothing
 * behind (the turn is then simply unanswered, and a retry generates it) or the claim was lost
 * before anyone stored a reply.
 */
export async function finalizeAbandoned(
  repo: ChatRepository,
  turn: HeldTurn,
  messageId: string,
): Promise<ChatEvent | null> {
  const events = eventsOfAttempt(
    await repo.getTurnEvents(turn.conversationId, turn.userRequestId),
    turn.attempt,
  );
  const existing = replyOf(events, turn.attempt);
  if (existing) return existing;
  if (events.length === 0) return null;
  const deltas = events.filter(isDelta);
  const text = deltas.map((e) => contentToText(e.content)).join("");
  const model = deltas.find((e) => e.model !== null)?.model ?? null;
  const result = await repo.compactHeld(turn, text, model, {
    interrupted: true,
    ...TextOffsetTracker.of(events).extra(),
    ...replyExtra(turn, messageId),
  });
  return result.reply;
}
