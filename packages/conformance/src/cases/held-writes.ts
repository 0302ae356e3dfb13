import type { HeldTurn, NewChatEvent } from "@chatlog/core";
import { assistantReplyKey, toolCallKey } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { count, rejectsWith, withDb } from "./support.ts";

const KEY = { conversationId: "c", userRequestId: "u1", attempt: 1 };
const A: HeldTurn = { ...KEY, ownerId: "A" };
const B: HeldTurn = { ...KEY, ownerId: "B" };

function delta(text: string, attempt = 1): NewChatEvent {
  return {
    conversationId: "c",
    type: "meta",
    role: "assistant",
    content: text,
    extra: { kind: "assistant_delta", user_request_id: "u1", ...(attempt > 1 ? { attempt } : {}) },
  };
}

/** The user message of turn u1, then A's claim on it: what a server does before generating. */
async function startTurn(repo: EngineChatRepository): Promise<void> {
  await repo.handleUserMessagePersistence("c", "hi", "u1");
  await repo.claimTurn({ ...KEY, ownerId: "A", messageId: "m", staleMs: 60_000 });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes of a turn's generator (appendHeld, compactHeld) land only while its owner holds the
 * turn's claim, checked inside the write itself: a generator that lost its claim (taken over
 * while it was paused, released, deleted with its conversation) writes nothing at all.
 */
export function heldWriteCases(h: DriverHarness): void {
  describe("claim-conditional writes", () => {
    it("appendHeld writes while the claim is held, and nothing once it was taken over", () =>
      withDb(h, async ({ repo, raw }) => {
        await startTurn(repo);
        const first = await repo.appendHeld(A, delta("one "));
        expect(first).toMatchObject({ held: true, added: true, event: { seq: 2, content: "one " } });
        // A pauses; its heartbeat goes stale and B takes the turn over.
        await pause(5);
        expect((await repo.claimTurn({ ...KEY, ownerId: "B", messageId: "x", staleMs: 1 })).acquired).toBe(
          true,
        );
        expect(await repo.appendHeld(A, delta("two "))).toEqual({ held: false });
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'meta'")).toBe(1);
        expect((await repo.appendHeld(B, delta("three"))).held).toBe(true);
        // No claim at all (released): refused too.
        await repo.releaseTurnClaim(KEY, "B");
        expect(await repo.appendHeld(B, delta("four"))).toEqual({ held: false });
        const metas = (await repo.getEvents("c")).filter((e) => e.type === "meta").map((e) => e.content);
        expect(metas).toEqual(["one ", "three"]);
      }));

    it("appendHeld reports a re-sent tool call as a duplicate while held, and seq is not spent on refusals", () =>
      withDb(h, async ({ repo }) => {
        await repo.claimTurn({ ...KEY, ownerId: "A", messageId: "m", staleMs: 60_000 });
        const call: NewChatEvent = {
          conversationId: "c",
          type: "tool_call",
          role: "assistant",
          content: null,
          toolCalls: [{ id: "t1", name: "clock", arguments: {} }],
          extra: { user_request_id: "u1", request_id: toolCallKey("u1", "t1") },
        };
        const stored = await repo.appendHeld(A, call);
        expect(stored).toMatchObject({ held: true, added: true });
        const again = await repo.appendHeld(A, call);
        expect(again).toMatchObject({ held: true, added: false });
        if (stored.held && again.held) expect(again.event.id).toBe(stored.event.id);
        expect(await repo.appendHeld(B, delta("refused"))).toEqual({ held: false });
        expect(
          (await repo.appendHeld(A, delta("next"))).held && (await repo.getEvents("c")).at(-1)?.seq,
        ).toBe(2);
      }));

    it("compactHeld stores the reply and removes the deltas only for the holder", () =>
      withDb(h, async ({ repo, raw }) => {
        await startTurn(repo);
        await repo.appendHeld(A, delta("partial"));
        // Not the holder: nothing stored, nothing removed, and no reply to show yet.
        expect(await repo.compactHeld(B, "B's version", null, { message_id: "m" })).toEqual({
          held: false,
          reply: null,
        });
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'meta'")).toBe(1);
        const done = await repo.compactHeld(A, "partial answer", "model-a", { message_id: "m" });
        expect(done).toMatchObject({ held: true, reply: { content: "partial answer", model: "model-a" } });
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'meta'")).toBe(0);
        // Idempotent for the holder; the loser learns the stored reply.
        const twice = await repo.compactHeld(A, "other", null, { message_id: "m" });
        expect(twice.reply?.id).toBe(done.reply?.id);
        const lost = await repo.compactHeld(B, "B's version", null, { message_id: "m" });
        expect(lost).toMatchObject({ held: false, reply: { id: done.reply?.id, content: "partial answer" } });
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'assistant_message'")).toBe(1);
      }));

    it("a paused generator's late delta after a takeover and finalization is refused: no orphan", () =>
      withDb(h, async ({ repo, raw }) => {
        await startTurn(repo);
        await repo.appendHeld(A, delta("said "));
        await pause(5);
        await repo.claimTurn({ ...KEY, ownerId: "B", messageId: "x", staleMs: 1 });
        await repo.compactHeld(B, "said ", null, { message_id: "m", interrupted: true });
        await repo.releaseTurnClaim(KEY, "B");
        // A wakes up and goes on streaming, then tries to store its own reply.
        expect(await repo.appendHeld(A, delta("more"))).toEqual({ held: false });
        const late = await repo.compactHeld(A, "said more", null, { message_id: "m" });
        expect(late).toMatchObject({
          held: false,
          reply: { content: "said ", extra: { interrupted: true } },
        });
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'meta'")).toBe(0);
        expect(await repo.deleteOrphanDeltas()).toBe(0);
      }));

    it("held writes of attempt 2 need attempt 2's claim; compaction keys the reply by that attempt", () =>
      withDb(h, async ({ repo, raw }) => {
        const second = { ...KEY, attempt: 2 };
        await repo.claimTurn({ ...KEY, ownerId: "A", messageId: "m1", staleMs: 60_000 });
        // Holding attempt 1 gives no right to attempt 2.
        expect(await repo.appendHeld({ ...second, ownerId: "A" }, delta("x", 2))).toEqual({ held: false });
        await repo.claimTurn({ ...second, ownerId: "A", messageId: "m2", staleMs: 60_000 });
        expect((await repo.appendHeld({ ...second, ownerId: "A" }, delta("x", 2))).held).toBe(true);
        const done = await repo.compactHeld({ ...second, ownerId: "A" }, "x", null, { message_id: "m2" });
        expect(done.reply?.extra).toMatchObject({ attempt: 2, request_id: assistantReplyKey("u1", 2) });
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'meta'")).toBe(0);
      }));

    it("deleteConversation during a turn: the generator's later writes are refused and nothing remains", () =>
      withDb(h, async ({ repo, raw }) => {
        await startTurn(repo);
        await repo.appendHeld(A, delta("one"));
        await repo.deleteConversation("c");
        expect(await repo.appendHeld(A, delta("two"))).toEqual({ held: false });
        expect(await repo.compactHeld(A, "one two", null, { message_id: "m" })).toEqual({
          held: false,
          reply: null,
        });
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(0);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_conversations")).toBe(0);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_turn_claims")).toBe(0);
      }));

    it("a held write outside its turn, or of a user message, is INVALID_ARGUMENT and writes nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        await repo.claimTurn({ ...KEY, ownerId: "A", messageId: "m", staleMs: 60_000 });
        await rejectsWith(
          () => repo.appendHeld(A, { ...delta("x"), conversationId: "other" }),
          "INVALID_ARGUMENT",
        );
        await rejectsWith(
          () =>
            repo.appendHeld(A, { ...delta("x"), extra: { kind: "assistant_delta", user_request_id: "u2" } }),
          "INVALID_ARGUMENT",
        );
        await rejectsWith(
          () =>
            repo.appendHeld(A, {
              conversationId: "c",
              type: "user_message",
              role: "user",
              content: "x",
              extra: { user_request_id: "u1", request_id: "u9" },
            }),
          "INVALID_ARGUMENT",
        );
        await rejectsWith(() => repo.compactHeld(A, "x", null, { attempt: 2 }), "INVALID_ARGUMENT");
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(0);
      }));
  });
}
