import type { ChatRepository, ClaimTurnResult, TurnClaim, TurnKey } from "@chatlog/core";

export interface ClaimSettings {
  /** A claim whose heartbeat is older than this is presumed abandoned and may be taken over. */
  staleMs: number;
  /** How often the holder refreshes its claims (well under staleMs). */
  heartbeatMs: number;
}

/** Where TurnClaims reports what an operator should see (a server passes its logger). */
export interface ClaimLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface TurnClaimsOptions {
  /** This process's owner id (default: a random UUID, a new owner per process). */
  ownerId?: string;
  /**
   * Whether the holder named by an owner id is certainly gone (its process no longer exists):
   * its claim is then taken over at once instead of after staleMs. Default: never known.
   */
  ownerIsGone?: (ownerId: string) => boolean;
  logger?: ClaimLogger;
}

/** The defaults of an app's own route (streamChatTurn); the server reads its own settings. */
export const DEFAULT_CLAIM_SETTINGS: ClaimSettings = { staleMs: 10_000, heartbeatMs: 2_000 };

export function turnKeyString(key: TurnKey): string {
  return JSON.stringify([key.conversationId, key.userRequestId, key.attempt]);
}

export type TakenClaim =
  | { acquired: true; claim: TurnClaim; lost: AbortSignal }
  | { acquired: false; claim: TurnClaim };

/**
 * One process's side of the turn claims (chat_turn_claims): takes them, refreshes every held one
 * with one statement per heartbeat, and tells the holder of a claim that was taken over (it went
 * stale, for example while this process was frozen) through an abort signal, so it stops
 * generating. Runs wherever Web APIs do (no Node built-ins): liveness checks beyond the heartbeat
 * come in through `ownerIsGone`.
 */
export class TurnClaims {
  readonly ownerId: string;
  private readonly held = new Map<string, AbortController>();
  /** Exclusive takes in the middle of claiming, by key. */
  private readonly taking = new Map<string, Promise<TakenClaim>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private beating: Promise<void> | null = null;
  private readonly ownerIsGone: (ownerId: string) => boolean;
  private readonly logger: ClaimLogger | undefined;

  constructor(
    private readonly repo: ChatRepository,
    readonly settings: ClaimSettings = DEFAULT_CLAIM_SETTINGS,
    options: TurnClaimsOptions = {},
  ) {
    this.ownerId = options.ownerId ?? crypto.randomUUID();
    this.ownerIsGone = options.ownerIsGone ?? (() => false);
    this.logger = options.logger;
  }

  /**
   * Tries to take the claim on `key`, proposing `messageId` for the reply. On success the claim
   * is held (and heartbeated) until `release`; `lost` aborts if another process takes it over.
   * A claim this process already holds (or is taking) is not taken again: two requests or a
   * sweeper of one process never both generate or finalize.
   */
  async take(key: TurnKey, messageId: string): Promise<TakenClaim> {
    const id = turnKeyString(key);
    // One owner id serves the whole process, so the database would renew a claim this process
    // already holds (or is taking) for anyone here who asks, a sweeper or a second request: the
    // generator holding it is alive, so nobody else here may take it.
    const inFlight = this.taking.get(id);
    if (inFlight) return { acquired: false, claim: (await inFlight).claim };
    if (this.held.has(id)) {
      const claim = await this.repo.getTurnClaim(key);
      if (claim !== null && claim.ownerId === this.ownerId) return { acquired: false, claim };
    }
    const taking = this.claim(key, messageId, id);
    this.taking.set(id, taking);
    try {
      return await taking;
    } finally {
      this.taking.delete(id);
    }
  }

  private async claim(key: TurnKey, messageId: string, id: string): Promise<TakenClaim> {
    let result: ClaimTurnResult = await this.repo.claimTurn({
      ...key,
      ownerId: this.ownerId,
      messageId,
      staleMs: this.settings.staleMs,
    });
    if (!result.acquired && this.ownerIsGone(result.claim.ownerId)) {
      // Compare-and-swap on the dead owner's id: of several processes noticing, one wins.
      result = await this.repo.claimTurn({
        ...key,
        ownerId: this.ownerId,
        messageId,
        staleMs: this.settings.staleMs,
        deadOwnerId: result.claim.ownerId,
      });
    }
    if (!result.acquired) return { acquired: false, claim: result.claim };
    if (result.claim.takeovers > 0 && result.claim.ownerId === this.ownerId) {
      this.logger?.warn("took over an abandoned turn", { ...key, takeovers: result.claim.takeovers });
    }
    const controller = new AbortController();
    this.held.set(id, controller);
    this.start();
    return { acquired: true, claim: result.claim, lost: controller.signal };
  }

  /**
   * Whether a claim read from the database belongs to a holder that is gone or stale. Never one
   * this process holds: its generator is alive here even when a starved event loop let the
   * heartbeat lag.
   */
  isAbandoned(claim: TurnClaim): boolean {
    if (claim.ownerId === this.ownerId && this.held.has(turnKeyString(claim))) return false;
    return claim.ageMs > this.settings.staleMs || this.ownerIsGone(claim.ownerId);
  }

  async release(key: TurnKey): Promise<void> {
    this.held.delete(turnKeyString(key));
    if (this.held.size === 0) this.stop();
    await this.repo.releaseTurnClaim(key, this.ownerId);
  }

  get heldCount(): number {
    return this.held.size;
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => {
        this.beating = null;
      });
    }, this.settings.heartbeatMs);
    // A held claim must not keep a Node process alive by itself (no-op elsewhere).
    (this.timer as { unref?: () => void }).unref?.();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async beat(): Promise<void> {
    // Only claims held before the UPDATE ran can be missing from its answer because they were lost.
    const before = new Map(this.held);
    let still: TurnKey[];
    try {
      still = await this.repo.heartbeatTurnClaims(this.ownerId);
    } catch (error) {
      // A missed beat is retried next tick; only staleMs without one lets a claim go.
      this.logger?.warn("turn claim heartbeat failed", { error });
      return;
    }
    const kept = new Set(still.map(turnKeyString));
    for (const [key, controller] of before) {
      if (!kept.has(key) && this.held.get(key) === controller) {
        this.held.delete(key);
        this.logger?.warn("a turn claim was taken over by another process", { turn: key });
        controller.abort(new Error("the turn claim was taken over"));
      }
    }
    if (this.held.size === 0) this.stop();
  }

  /** Stops heartbeating (shutdown); held claims then go stale and are taken over by others. */
  close(): void {
    this.stop();
  }
}
