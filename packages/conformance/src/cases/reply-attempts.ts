import { assistantReplyKey, toolCallKey, toolResultKey } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, withDb } from "./support.ts";

/**
 * Regenerated replies (extra.attempt) and turn claims: of a turn answered more than once only
 * the highest attempt is current; claims are taken atomically and taken over only when stale.
 */
/** Appends one streamed delta of user request u1 in conversation c (attempt 1 unless given). */
function delta(repo: EngineChatRepository, text: string, attempt?: number) {
  return add(repo, {
    conversationId: "c",
    type: "meta",
    role: "assistant",
    content: text,
    extra: { kind: "assistant_delta", user_request_id: "u1", ...(attempt ? { attempt } : {}) },
  });
}

export function replyAttemptCases(h: DriverHarness): void {
  describe("reply attempts", () => {
    it("history shows only the highest attempt of a regenerated turn; the log keeps both", () =>
      withDb(h, async ({ repo }) => {
        await repo.handleUserMessagePersistence("c", "what is 2+2", "u1");
        await add(repo, {
          conversationId: "c",
          type: "tool_call",
          role: "assistant",
          toolCalls: [{ id: "t1", name: "calculator", arguments: { expression: "2+2" } }],
          extra: { user_request_id: "u1", request_id: toolCallKey("u1", "t1") },
        });
        await add(repo, {
          conversationId: "c",
          type: "tool_result",
          role: "tool",
          content: "4",
          extra: { user_request_id: "u1", tool_call_id: "t1", request_id: toolResultKey("u1", "t1") },
        });
        const first = await repo.compactDeltas("c", "u1", "It is 4.", null, { message_id: "m1" });
        expect(first.extra.request_id).toBe(assistantReplyKey("u1"));
        const second = await repo.compactDeltas("c", "u1", "Four.", null, { message_id: "m2", attempt: 2 });
        expect(second.extra.request_id).toBe(assistantReplyKey("u1", 2));
        expect(second.id).not.toBe(first.id);
        await repo.handleUserMessagePersistence("c", "thanks", "u2");

        const history = await repo.getConversationHistory("c");
        expect(history.map((e) => [e.type, e.content])).toEqual([
          ["user_message", "what is 2+2"],
          ["assistant_message", "Four."],
          ["user_message", "thanks"],
        ]);
        expect(await repo.getEvents("c")).toHaveLength(6);
        expect((await repo.getExistingAssistantResponse("c", "u1"))?.id).toBe(second.id);
        // A second compaction of attempt 2 returns the stored reply instead of adding one.
        const again = await repo.compactDeltas("c", "u1", "Other.", null, { message_id: "m2", attempt: 2 });
        expect(again.id).toBe(second.id);
      }));

    it("deleteOrphanDeltas removes deltas appended after their attempt's reply, and only those", () =>
      withDb(h, async ({ repo }) => {
        await repo.handleUserMessagePersistence("c", "hi", "u1");
        await delta(repo, "early");
        await repo.compactDeltas("c", "u1", "early", null, { message_id: "m1" });
        // A generator that lost its claim keeps streaming after the reply landed, then dies.
        await delta(repo, "late");
        // Attempt 2 is still streaming: its deltas are not orphans.
        await delta(repo, "live", 2);
        expect(await repo.deleteOrphanDeltas()).toBe(1);
        const left = (await repo.getEvents("c")).filter((e) => e.type === "meta").map((e) => e.content);
        expect(left).toEqual(["live"]);
        expect(await repo.deleteOrphanDeltas()).toBe(0);
      }));

    it("an attempt's compaction removes only its own deltas", () =>
      withDb(h, async ({ repo }) => {
        await repo.handleUserMessagePersistence("c", "hi", "u1");
        await delta(repo, "one");
        await delta(repo, "two", 2);
        await repo.compactDeltas("c", "u1", "two", null, { attempt: 2 });
        const left = (await repo.getEvents("c")).filter((e) => e.type === "meta");
        expect(left.map((e) => e.content)).toEqual(["one"]);
      }));

    it("turn claims: one holder at a time, renewed by it, taken over only when stale; message id kept", () =>
      withDb(h, async ({ repo }) => {
        const key = { conversationId: "c", userRequestId: "u1", attempt: 1 };
        const a = await repo.claimTurn({ ...key, ownerId: "A", messageId: "m-a", staleMs: 60_000 });
        expect(a).toMatchObject({ acquired: true, claim: { ownerId: "A", messageId: "m-a", takeovers: 0 } });
        const b = await repo.claimTurn({ ...key, ownerId: "B", messageId: "m-b", staleMs: 60_000 });
        expect(b).toMatchObject({ acquired: false, claim: { ownerId: "A", messageId: "m-a" } });
        expect(await repo.heartbeatTurnClaims("A")).toEqual([key]);
        expect(await repo.heartbeatTurnClaims("B")).toEqual([]);
        // B knows A is gone: a compare-and-swap on A's owner id.
        const taken = await repo.claimTurn({
          ...key,
          ownerId: "B",
          messageId: "m-b",
          staleMs: 60_000,
          deadOwnerId: "A",
        });
        expect(taken).toMatchObject({
          acquired: true,
          claim: { ownerId: "B", messageId: "m-a", takeovers: 1 },
        });
        // A stale threshold of 0 lets anyone older than now take it.
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect((await repo.listStaleTurnClaims(1)).map((c) => c.ownerId)).toEqual(["B"]);
        const c = await repo.claimTurn({ ...key, ownerId: "C", messageId: "m-c", staleMs: 1 });
        expect(c).toMatchObject({ acquired: true, claim: { ownerId: "C", messageId: "m-a", takeovers: 2 } });
        await repo.releaseTurnClaim(key, "B"); // not the holder: no effect
        expect((await repo.getTurnClaim(key))?.ownerId).toBe("C");
        expect((await repo.listTurnClaims("c")).map((x) => x.attempt)).toEqual([1]);
        await repo.releaseTurnClaim(key, "C");
        expect(await repo.getTurnClaim(key)).toBeNull();
      }));

    it("turn claims raced by many writers: exactly one acquires", () =>
      withDb(h, async ({ repo }) => {
        const key = { conversationId: "c", userRequestId: "u1", attempt: 3 };
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            repo.claimTurn({ ...key, ownerId: `o${i}`, messageId: `m${i}`, staleMs: 60_000 }),
          ),
        );
        const winners = results.filter((r) => r.acquired);
        expect(winners).toHaveLength(1);
        for (const r of results) expect(r.claim.ownerId).toBe(winners[0]?.claim.ownerId);
      }));
  });
}
