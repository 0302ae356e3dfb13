import { randomUUID } from "node:crypto";
import { readlinkSync } from "node:fs";
import { hostname } from "node:os";
import type { ChatRepository, ClaimTurnResult, TurnClaim, TurnKey } from "@chatlog/core";
import type { Logger } from "../logging.ts";

export interface ClaimSettings {
  /** A claim whose heartbeat is older than this is presumed abandoned and may be taken over. */
  staleMs: number;
  /** How often the holder refreshes its claims (well under staleMs). */
  heartbeatMs: number;
}

/** This machine's pid namespace, so a pid is only judged on the machine and namespace it lives in. */
function pidNamespace(): string {
  try {
    return readlinkSync("/proc/self/ns/pid").replace(/[^\w:]/g, "");
  } catch {
    return "";
  }
}

/**
 * The owner id of this process's claims: `host|pid-namespace|pid|random`. The random part makes
 * every process (and every restart) a new owner; the rest lets another process on the same
 * machine see at once that the holder is gone, without waiting for its heartbeat to go stale.
 */
function newOwnerId(): string {
  return [hostname(), pidNamespace(), String(process.pid), randomUUID()].join("|");
}

const HOST = hostname();
const PID_NAMESPACE = pidNamespace();

/**
 * Whether the process that owns `ownerId` is certainly gone: it ran on this host, in this pid
 * namespace (known on Linux only), and its pid no longer exists. Anything else is "maybe alive",
 * left to the heartbeat. A reused pid only delays a takeover, never causes a wrong one.
 */
export function ownerIsGone(ownerId: string): boolean {
  const [host, ns, pid] = ownerId.split("|");
  if (host !== HOST || !ns || ns !== PID_NAMESPACE || !pid || !/^\d+$/.test(pid)) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function turnKeyString(key: TurnKey): string {
  return JSON.stringify([key.conversationId, key.userRequestId, key.attempt]);
}

/**
 * This process's side of the turn claims: takes them, refreshes every held one with one
 * statement per heartbeat, and tells the holder of a claim that was taken over (it went stale,
 * for example while this process was frozen) through an abort signal, so it stops generating.
 */
export class TurnClaims {
  readonly ownerId = newOwnerId();
  private readonly held = new Map<string, AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly repo: ChatRepository,
    readonly settings: ClaimSettings,
    private readonly logger: Logger,
  ) {}

  /**
   * Tries to take the claim on `key`, proposing `messageId` for the reply. On success the claim
   * is held (and heartbeated) until `release`; `lost` aborts if another process takes it over.
   */
  async take(
    key: TurnKey,
    messageId: string,
  ): Promise<
    { acquired: true; claim: TurnClaim; lost: AbortSignal } | { acquired: false; claim: TurnClaim }
  > {
    let result: ClaimTurnResult = await this.repo.claimTurn({
      ...key,
      ownerId: this.ownerId,
      messageId,
      staleMs: this.settings.staleMs,
    });
    if (!result.acquired && ownerIsGone(result.claim.ownerId)) {
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
      this.logger.warn("took over an abandoned turn", { ...key, takeovers: result.claim.takeovers });
    }
    const controller = new AbortController();
    this.held.set(turnKeyString(key), controller);
    this.start();
    return { acquired: true, claim: result.claim, lost: controller.signal };
  }

  /** Whether a claim read from the database belongs to a holder that is gone or stale. */
  isAbandoned(claim: TurnClaim): boolean {
    return claim.ageMs > this.settings.staleMs || ownerIsGone(claim.ownerId);
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
    this.timer.unref();
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
      this.logger.warn("turn claim heartbeat failed", { error });
      return;
    }
    const kept = new Set(still.map(turnKeyString));
    for (const [key, controller] of before) {
      if (!kept.has(key) && this.held.get(key) === controller) {
        this.held.delete(key);
        this.logger.warn("a turn claim was taken over by another process", { turn: key });
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
