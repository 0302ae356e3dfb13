import { type ChatEvent, type ChatRepository, type TurnKey, turnMessageId } from "@chatlog/core";
import { eventsOfAttempt, replyOf } from "./turn-attempts.ts";
import type { TurnClaims } from "./turn-claims.ts";

/**
 * This process holds the turn's claim and no reply is stored. `left` is what an earlier
 * generator of the turn stored before it went away (deltas, tool events; empty when it never
 * started, or when nobody did): the turn is then finalized from it (TurnEngine.finalizeLeft) or,
 * when empty, generated here.
 */
export interface OwnTurn {
  kind: "own";
  messageId: string;
  /** Aborts if another process takes the claim over (every write of this holder is then refused). */
  lost: AbortSignal;
  left: ChatEvent[];
}

export type TakeOutcome =
  | { kind: "answered"; reply: ChatEvent; events: ChatEvent[] }
  /** A live generator holds the turn (here or in another process): follow it. */
  | { kind: "held"; messageId: string }
  | OwnTurn;

/**
 * Tries to take the turn's claim, proposing `messageId` (default: a new turn message id) for its
 * reply, and reads the turn again once it is held: a reply stored between the caller's read and
 * the claim (its generator released the claim after storing it) is answered, not regenerated.
 */
export async function takeTurn(
  repo: ChatRepository,
  claims: TurnClaims,
  turn: TurnKey,
  messageId: string = turnMessageId(crypto.randomUUID()),
): Promise<TakeOutcome> {
  const taken = await claims.take(turn, messageId);
  if (!taken.acquired) return { kind: "held", messageId: taken.claim.messageId };
  const events = eventsOfAttempt(
    await repo.getTurnEvents(turn.conversationId, turn.userRequestId),
    turn.attempt,
  );
  const reply = replyOf(events, turn.attempt);
  if (reply) {
    await claims.release(turn);
    return { kind: "answered", reply, events };
  }
  return { kind: "own", messageId: taken.claim.messageId, lost: taken.lost, left: events };
}
