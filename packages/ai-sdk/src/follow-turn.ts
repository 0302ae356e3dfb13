import type { ChatEvent, ChatRepository, TurnKey } from "@chatlog/core";
import { type OwnTurn, takeTurn } from "./take-turn.ts";
import { eventsOfAttempt, messageIdOf, replyOf } from "./turn-attempts.ts";
import type { TurnClaims } from "./turn-claims.ts";

export interface FollowTurnOptions {
  /** How often the turn's rows (and its holder's claim) are read. */
  pollMs: number;
  /** Stop following (the follower is going away); the turn itself is left to its holder. */
  signal?: AbortSignal;
  /** Give up at this time (epoch ms); default: never. */
  deadline?: number;
  /**
   * Whether a holder that is gone may be taken over by this follower (default true). A turn whose
   * claim is its start row (a streamChatTurn continuation) is followed, never taken over.
   */
  takesOver?: boolean;
  /** Each of the turn's stored rows before its reply (deltas, tool events), once, in seq order. */
  onEvent?: (event: ChatEvent) => void;
}

/** How following a turn ended. */
export type FollowOutcome =
  /** The reply is stored; `events` are the attempt's events, the reply included. */
  | { kind: "answered"; reply: ChatEvent; events: ChatEvent[] }
  /** The holder was gone and its claim is now this process's: see OwnTurn. */
  | OwnTurn
  | { kind: "stopped" }
  | { kind: "timed-out" };

/**
 * Follows a turn another generator holds, from the database, for the server's turns and
 * streamChatTurn alike: hands over its rows as they are stored and ends with its reply. When the
 * holder's claim goes stale (or its process is gone) the follower tries to take it over; of
 * several followers one wins, and the others go on following the winner. Nothing is generated
 * or finalized here: what a takeover does is the caller's (see TurnEngine).
 */
export async function followTurn(
  repo: ChatRepository,
  claims: TurnClaims,
  turn: TurnKey,
  options: FollowTurnOptions,
): Promise<FollowOutcome> {
  let lastSeq = 0;
  // The reply's id, once known: kept for a takeover even after the claim row that named it is
  // gone (released by a holder that stored nothing, or by a takeover that let it go again).
  let messageId: string | undefined;
  for (;;) {
    const events = eventsOfAttempt(
      await repo.getTurnEvents(turn.conversationId, turn.userRequestId),
      turn.attempt,
    );
    const reply = replyOf(events, turn.attempt);
    for (const event of events) {
      messageId = messageIdOf(event) ?? messageId;
      if (event.seq <= lastSeq || event === reply) continue;
      lastSeq = event.seq;
      options.onEvent?.(event);
    }
    if (reply) return { kind: "answered", reply, events };
    if (options.signal?.aborted) return { kind: "stopped" };
    if (options.deadline !== undefined && Date.now() >= options.deadline) return { kind: "timed-out" };
    if (options.takesOver !== false) {
      const claim = await repo.getTurnClaim(turn);
      messageId = claim?.messageId ?? messageId;
      // No claim and no reply: the holder gave up without storing one (its generation failed
      // before saying anything), or it was stale and released by a sweeper. Either way it is free.
      if (claim === null || claims.isAbandoned(claim)) {
        const taken = await takeTurn(repo, claims, turn, messageId);
        if (taken.kind === "own" && !taken.left.some((e) => e.seq > lastSeq)) return taken;
        // Stored meanwhile (the holder was alive after all: it wrote, then released), or taken
        // by another follower: read again, so every row is handed over before the reply.
        if (taken.kind === "own") await claims.release(turn);
        continue;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
