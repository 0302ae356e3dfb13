import {
  ASSISTANT_DELTA_KIND,
  assertId,
  ChatlogError,
  type ClaimTurnInput,
  type ClaimTurnResult,
  type Content,
  type HeldAppendResult,
  type HeldCompactResult,
  type HeldTurn,
  type JsonObject,
  type NewChatEvent,
  requestIdOf,
  type TurnClaim,
  type TurnKey,
  type UnfinishedTurn,
  type ValidEvent,
  validateEvent,
} from "@chatlog/core";
import type { EventStore } from "./event-store.ts";
import type { Row, Step } from "./executor.ts";
import { type RepositoryContext, RepositoryPart } from "./repository-part.ts";
import { encodeEvent, storedEvent } from "./row-codec.ts";
import { deleteInSlices } from "./sliced-delete.ts";

/**
 * Turns and claims: which process generates a turn (claims, heartbeats, takeovers), the writes
 * of a generator conditional on its claim, and turns left unfinished.
 */
export class TurnStore extends RepositoryPart {
  constructor(
    context: RepositoryContext,
    private readonly events: EventStore,
  ) {
    super(context);
  }

  async deleteOrphanDeltas(): Promise<number> {
    this.ensureAdmin("deleteOrphanDeltas");
    return deleteInSlices(this.executor, (batch) => ({
      statement: this.sql.deleteOrphanDeltas,
      args: { kind: ASSISTANT_DELTA_KIND, batch },
    }));
  }

  async listUnfinishedTurns(): Promise<UnfinishedTurn[]> {
    this.ensureOpen();
    const rows = await this.read({
      statement: this.sql.unfinishedTurns,
      args: { kind: ASSISTANT_DELTA_KIND },
    });
    return rows.map((row) => ({
      conversationId: String(row.conversation_id),
      userRequestId: String(row.user_request_id),
    }));
  }

  async claimTurn(input: ClaimTurnInput): Promise<ClaimTurnResult> {
    this.ensureOpen();
    const key = turnKeyArgs(input);
    assertId(input.ownerId, "ownerId");
    assertId(input.messageId, "messageId");
    if (!Number.isInteger(input.staleMs) || input.staleMs < 0) {
      throw new ChatlogError("INVALID_ARGUMENT", "staleMs must be a non-negative integer");
    }
    // One batch: the claim, then the row as it stands (ours, or the live holder's).
    const [taken, current] = await this.writeTo(input.conversationId, [
      {
        statement: this.sql.claimTurn,
        args: {
          ...key,
          claim_owner: input.ownerId,
          message_id: input.messageId,
          stale_ms: input.staleMs,
          dead_owner: input.deadOwnerId ?? null,
        },
      },
      { statement: this.sql.turnClaim, args: key },
    ]);
    const row = current?.[0];
    if (!row) throw new ChatlogError("STORAGE_ERROR", "a turn claim vanished while it was taken");
    return { acquired: (taken?.length ?? 0) > 0, claim: decodeClaim(row) };
  }

  async getTurnClaim(key: TurnKey): Promise<TurnClaim | null> {
    this.ensureOpen();
    const [row] = await this.read({ statement: this.sql.turnClaim, args: turnKeyArgs(key) });
    return row ? decodeClaim(row) : null;
  }

  async listTurnClaims(conversationId: string): Promise<TurnClaim[]> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    const rows = await this.read({
      statement: this.sql.conversationClaims,
      args: { conversation_id: conversationId },
    });
    return rows.map(decodeClaim);
  }

  async heartbeatTurnClaims(ownerId: string): Promise<TurnKey[]> {
    this.ensureOpen();
    const [rows] = await this.write([
      { statement: this.sql.heartbeatClaims, args: { claim_owner: ownerId } },
    ]);
    return (rows ?? []).map((row) => ({
      conversationId: String(row.conversation_id),
      userRequestId: String(row.user_request_id),
      attempt: Number(row.attempt),
    }));
  }

  async releaseTurnClaim(key: TurnKey, ownerId: string): Promise<void> {
    this.ensureOpen();
    await this.writeTo(key.conversationId, [
      { statement: this.sql.releaseClaim, args: { ...turnKeyArgs(key), claim_owner: ownerId } },
    ]);
  }

  async listStaleTurnClaims(staleMs: number, limit = 100): Promise<TurnClaim[]> {
    this.ensureOpen();
    const rows = await this.read({
      statement: this.sql.staleClaims,
      args: { stale_ms: staleMs, limit },
    });
    return rows.map(decodeClaim);
  }

  // --- writes of a turn's generator, conditional on its claim -------------------------------

  async appendHeld(turn: HeldTurn, input: NewChatEvent): Promise<HeldAppendResult> {
    this.ensureOpen();
    const held = heldArgs(turn);
    const event = validateEvent(input);
    assertOfTurn(event, turn);
    const append: Step = { statement: this.sql.appendHeld, args: { ...encodeEvent(event), ...held } };
    const holds: Step = { statement: this.sql.heldClaim, args: held };
    if (this.executor.remote) {
      // One round trip whatever the outcome: the claim check and the duplicate lookup ride along.
      const [inserted, claim, existing] = await this.events.appending(event.conversationId, [
        append,
        holds,
        this.events.duplicateLookup(event),
      ]);
      const seq = inserted?.[0]?.seq;
      if (typeof seq === "number") return { held: true, added: true, event: storedEvent(event, seq) };
      if ((claim?.length ?? 0) === 0) return { held: false };
      return { held: true, added: false, event: this.events.storedDuplicate(event, existing ?? []) };
    }
    const [inserted] = await this.events.appending(event.conversationId, [append]);
    const seq = inserted?.[0]?.seq;
    if (typeof seq === "number") return { held: true, added: true, event: storedEvent(event, seq) };
    // Nothing inserted: the claim is gone, or the event is a duplicate (a re-sent tool call).
    if ((await this.read(holds)).length === 0) return { held: false };
    return { held: true, added: false, event: await this.events.findDuplicate(event) };
  }

  async compactHeld(
    turn: HeldTurn,
    finalContent: Content,
    model: string | null = null,
    extra: JsonObject = {},
  ): Promise<HeldCompactResult> {
    this.ensureOpen();
    const held = heldArgs(turn);
    if (extra.attempt !== undefined && extra.attempt !== turn.attempt) {
      throw new ChatlogError("INVALID_ARGUMENT", "extra.attempt must be the held turn's attempt", {
        details: { field: "extra.attempt" },
      });
    }
    const more = turn.attempt > 1 ? { ...extra, attempt: turn.attempt } : extra;
    const reply = this.events.assistantReply(
      turn.conversationId,
      turn.userRequestId,
      finalContent,
      model,
      null,
      more,
    );
    // One job: the reply, the removal of the deltas, the claim check and the read-back commit
    // together, so a generator that lost its claim changes nothing, and learns what is stored.
    const [, , claim, stored] = await this.events.appending(turn.conversationId, [
      { statement: this.sql.appendHeld, args: { ...encodeEvent(reply), ...held } },
      { statement: this.sql.deleteDeltasHeld, args: { ...held, kind: ASSISTANT_DELTA_KIND } },
      { statement: this.sql.heldClaim, args: held },
      {
        statement: this.sql.byRequestId,
        args: { conversation_id: reply.conversationId, request_id: requestIdOf(reply) },
      },
    ]);
    const current = this.decodeFirst(stored ?? []);
    if ((claim?.length ?? 0) === 0) return { held: false, reply: current };
    if (current === null) throw new ChatlogError("STORAGE_ERROR", "the stored reply could not be read back");
    return { held: true, reply: current };
  }
}

function turnKeyArgs(key: TurnKey) {
  assertId(key.conversationId, "conversationId");
  assertId(key.userRequestId, "userRequestId");
  if (!Number.isInteger(key.attempt) || key.attempt < 1) {
    throw new ChatlogError("INVALID_ARGUMENT", "attempt must be a positive integer", {
      details: { field: "attempt" },
    });
  }
  return { conversation_id: key.conversationId, user_request_id: key.userRequestId, attempt: key.attempt };
}

/** The parameters of the HELD condition (statements.ts) for a generator's write. */
function heldArgs(turn: HeldTurn) {
  const key = turnKeyArgs(turn);
  assertId(turn.ownerId, "ownerId");
  return {
    conversation_id: key.conversation_id,
    held_request_id: key.user_request_id,
    held_attempt: key.attempt,
    held_owner: turn.ownerId,
  };
}

/** A held write may only add to its own turn (the claim says nothing about any other). */
function assertOfTurn(event: ValidEvent, turn: HeldTurn): void {
  if (event.conversationId !== turn.conversationId || event.extra.user_request_id !== turn.userRequestId) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "a held write must belong to the held turn (its conversationId and extra.user_request_id)",
      { details: { field: "extra.user_request_id" } },
    );
  }
  if (event.type === "user_message") {
    throw new ChatlogError("INVALID_ARGUMENT", "a turn's generator does not write user messages", {
      details: { field: "type" },
    });
  }
}

function decodeClaim(row: Row): TurnClaim {
  return {
    conversationId: String(row.conversation_id),
    userRequestId: String(row.user_request_id),
    attempt: Number(row.attempt),
    ownerId: String(row.owner_id),
    messageId: String(row.message_id),
    claimedAt: new Date(Number(row.claimed_at_ms)),
    heartbeatAt: new Date(Number(row.heartbeat_ms)),
    ageMs: Number(row.age_ms ?? 0),
    takeovers: Number(row.takeovers),
  };
}
