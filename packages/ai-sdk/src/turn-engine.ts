import type { ChatEvent, ChatRepository, TurnKey } from "@chatlog/core";
import { finalizeAbandoned } from "./finalize-abandoned.ts";
import { type FollowOutcome, type FollowTurnOptions, followTurn } from "./follow-turn.ts";
import { recoverUnfinishedTurns, sweepAbandonedTurns } from "./recover-unfinished.ts";
import { type OwnTurn, type TakeOutcome, takeTurn } from "./take-turn.ts";
import { eventsOfAttempt, replyOf } from "./turn-attempts.ts";
import type { ClaimLogger, TurnClaims } from "./turn-claims.ts";
import { TurnStops } from "./turn-stops.ts";

export interface TurnEngineOptions {
  repo: ChatRepository;
  /** This process's claims (one set per repository, shared by every request). */
  claims: TurnClaims;
  /** How often a follower reads the turn it follows (default 100 ms). */
  followPollMs?: number;
  /** How often a generating holder looks for a stop recorded by another process (default 250 ms). */
  stopPollMs?: number;
  logger?: ClaimLogger;
}

/**
 * The one turn engine behind the server's two protocols and streamChatTurn. A turn (conversation,
 * user request id, attempt) is answered at most once across every process on the database:
 *
 * - `open`: a turn already answered is replayed; otherwise whoever takes its claim generates
 *   it (or, when a gone generator left rows, finalizes them), and everyone else follows;
 * - `follow`: a live holder's rows, read from the database until its reply is stored; a holder
 *   that goes away is taken over by one of its followers, which gets the turn as its own;
 * - `finalizeLeft`: takeover's way of storing what a gone generator left, as its reply;
 * - `stop` / `watchStop`: a stop recorded in the database, obeyed by the holder wherever it runs;
 * - `sweep` / `recover`: turns nobody retries, finalized once their generator is gone.
 *
 * What is generated and how it is shown (TurnEvents for /v1 and /api/chat, UI chunks for
 * streamChatTurn) belongs to the callers, which are views of these outcomes.
 */
export class TurnEngine {
  readonly repo: ChatRepository;
  readonly claims: TurnClaims;
  private readonly stops: TurnStops;
  private readonly followPollMs: number;
  private readonly logger: ClaimLogger | undefined;

  constructor(options: TurnEngineOptions) {
    this.repo = options.repo;
    this.claims = options.claims;
    this.followPollMs = options.followPollMs ?? 100;
    this.stops = new TurnStops(options.repo, options.stopPollMs ?? 250);
    this.logger = options.logger;
  }

  /**
   * Where a request for `turn` stands: answered (replay the stored reply), held by a live
   * generator (follow it), or this process's own (generate, or finalize what was left).
   * `messageId` is the id proposed for a new reply (default: a new turn message id).
   */
  async open(
    turn: TurnKey,
    options: {
      messageId?: string;
      /** The turn's events (getTurnEvents), when the caller has just read them. */
      turnEvents?: readonly ChatEvent[];
    } = {},
  ): Promise<TakeOutcome> {
    const all =
      options.turnEvents ?? (await this.repo.getTurnEvents(turn.conversationId, turn.userRequestId));
    const events = eventsOfAttempt(all, turn.attempt);
    const reply = replyOf(events, turn.attempt);
    if (reply) return { kind: "answered", reply, events };
    return takeTurn(this.repo, this.claims, turn, options.messageId);
  }

  /** Follows the holder of `turn` until its reply is stored, or takes it over if it is gone. */
  follow(
    turn: TurnKey,
    options: Omit<FollowTurnOptions, "pollMs"> & { pollMs?: number } = {},
  ): Promise<FollowOutcome> {
    return followTurn(this.repo, this.claims, turn, { pollMs: this.followPollMs, ...options });
  }

  /**
   * Stores what a gone generator left (`own.left`, not empty) as the turn's reply, interrupted,
   * and lets the claim go. Null when the claim was lost first (another process finalizes).
   */
  async finalizeLeft(turn: TurnKey, own: OwnTurn): Promise<ChatEvent | null> {
    try {
      return await finalizeAbandoned(this.repo, { ...turn, ownerId: this.claims.ownerId }, own.messageId);
    } finally {
      await this.claims.release(turn);
    }
  }

  release(turn: TurnKey): Promise<void> {
    return this.claims.release(turn);
  }

  /** Records a stop for the conversation's turn in flight; NO_TURN_IN_FLIGHT when none is. */
  stop(conversationId: string, userRequestId?: string): Promise<TurnKey> {
    return this.stops.request(conversationId, userRequestId);
  }

  /** A signal that aborts when `turn` is stopped, from any process, while it generates here. */
  watchStop(turn: TurnKey): { signal: AbortSignal; dispose: () => void } {
    return this.stops.watch(turn);
  }

  /** Finalizes the turns whose generator is gone (stale claims, dead processes). */
  sweep(): Promise<number> {
    return sweepAbandonedTurns(this.repo, this.claims, this.logger);
  }

  /** The sweep, plus turns left with rows and no claim at all (older versions, the Python system). */
  recover(): Promise<number> {
    return recoverUnfinishedTurns(this.repo, this.claims, this.logger);
  }
}
