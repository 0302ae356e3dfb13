import { randomUUID } from "node:crypto";
import { eventsOfAttempt, isDelta } from "@chatlog/ai-sdk";
import { type ChatRepository, contentToText, type TurnKey, turnMessageId } from "@chatlog/core";
import { emitStoredEvent, storedDone } from "./replay-stored.ts";
import type { TurnBroadcast } from "./turn-broadcast.ts";
import type { TurnClaims } from "./turn-claims.ts";

export interface FollowOptions {
  pollMs: number;
  /** This server is stopping: stop following (the turn itself is left to its holder). */
  signal: AbortSignal;
}

/** How a follow ended: the reply was stored, this server stopped, or the claim came to us. */
export type FollowOutcome =
  | { kind: "done" }
  | { kind: "stopped" }
  | {
      kind: "took-over";
      lost: AbortSignal;
      messageId: string;
      /** Whether the abandoned generation left anything (deltas, tool events) behind. */
      started: boolean;
    };

/**
 * Follows a turn whose claim another process holds, from the database: streams its persisted
 * deltas and tool events as they appear and ends with its stored reply. When the holder's claim
 * goes stale (or its process is gone) this process tries to take it over; of several followers
 * one wins and the others keep following the winner. Nothing is generated here: the caller
 * decides what a takeover does.
 */
export async function followOtherProcess(
  repo: ChatRepository,
  claims: TurnClaims,
  turn: TurnKey,
  out: TurnBroadcast,
  options: FollowOptions,
): Promise<FollowOutcome> {
  let lastSeq = 0;
  let sent = "";
  let started = false;
  for (;;) {
    const events = eventsOfAttempt(
      await repo.getTurnEvents(turn.conversationId, turn.userRequestId),
      turn.attempt,
    );
    for (const event of events) {
      if (event.seq <= lastSeq) continue;
      lastSeq = event.seq;
      if (event.type === "assistant_message") {
        const done = storedDone(event);
        // Compaction may land between two polls: send whatever of the reply was not yet sent.
        if (done.content.startsWith(sent) && done.content.length > sent.length) {
          out.push({ type: "delta", text: done.content.slice(sent.length) });
        }
        out.push(done);
        return { kind: "done" };
      }
      started = true;
      if (isDelta(event)) sent += contentToText(event.content);
      emitStoredEvent(event, out);
    }
    if (options.signal.aborted) {
      out.push({ type: "error", code: "SHUTTING_DOWN", message: "the server stopped following this turn" });
      return { kind: "stopped" };
    }
    const claim = await repo.getTurnClaim(turn);
    // No claim and no reply: the holder gave up without storing one (its generation failed
    // before saying anything), or it was stale and released by a reaper. Either way it is free.
    if (claim === null || claims.isAbandoned(claim)) {
      const taken = await claims.take(turn, claim?.messageId ?? turnMessageId(randomUUID()));
      if (taken.acquired) {
        // One last read: the holder stores its reply before it releases the claim.
        const after = eventsOfAttempt(
          await repo.getTurnEvents(turn.conversationId, turn.userRequestId),
          turn.attempt,
        );
        if (after.some((e) => e.seq > lastSeq)) {
          await claims.release(turn);
          continue;
        }
        return { kind: "took-over", lost: taken.lost, messageId: taken.claim.messageId, started };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
