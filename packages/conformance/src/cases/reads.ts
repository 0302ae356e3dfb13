import type { ChatEvent } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, delta, toolCall, toolResult, user, withDb } from "./support.ts";

async function tenEvents(repo: EngineChatRepository, conversationId = "p"): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for (let i = 1; i <= 10; i++) events.push(await add(repo, user(conversationId, `m${i}`)));
  return events;
}

const seqs = (events: readonly ChatEvent[]) => events.map((e) => e.seq);

export function readCases(h: DriverHarness): void {
  describe("getEvents", () => {
    it("returns the whole conversation in seq order, and nothing of other conversations", () =>
      withDb(h, async ({ repo }) => {
        const events = await tenEvents(repo);
        await add(repo, user("other", "x"));
        expect(await repo.getEvents("p")).toEqual(events);
        expect(await repo.getEvents("unknown")).toEqual([]);
      }));

    it("pages forward with afterSeq and limit", () =>
      withDb(h, async ({ repo }) => {
        await tenEvents(repo);
        expect(seqs(await repo.getEvents("p", { limit: 3 }))).toEqual([1, 2, 3]);
        expect(seqs(await repo.getEvents("p", { afterSeq: 3, limit: 3 }))).toEqual([4, 5, 6]);
        expect(seqs(await repo.getEvents("p", { afterSeq: 8 }))).toEqual([9, 10]);
        expect(seqs(await repo.getEvents("p", { afterSeq: 10, limit: 5 }))).toEqual([]);
        expect(seqs(await repo.getEvents("p", { afterSeq: 0, limit: 2 }))).toEqual([1, 2]);

        const seen: number[] = [];
        let cursor = 0;
        for (;;) {
          const page = await repo.getEvents("p", { afterSeq: cursor, limit: 4 });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(4);
          seen.push(...seqs(page));
          cursor = page.at(-1)!.seq;
        }
        expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      }));

    it("pages backward with beforeSeq and limit, each page still in seq order", () =>
      withDb(h, async ({ repo }) => {
        await tenEvents(repo);
        expect(seqs(await repo.getEvents("p", { beforeSeq: 8, limit: 3 }))).toEqual([5, 6, 7]);
        expect(seqs(await repo.getEvents("p", { beforeSeq: 3, limit: 5 }))).toEqual([1, 2]);
        expect(seqs(await repo.getEvents("p", { beforeSeq: 1, limit: 5 }))).toEqual([]);
        expect(seqs(await repo.getEvents("p", { beforeSeq: 4 }))).toEqual([1, 2, 3]);

        const pages: number[][] = [];
        let cursor = Number.MAX_SAFE_INTEGER;
        for (;;) {
          const page = await repo.getEvents("p", { beforeSeq: cursor, limit: 4 });
          if (page.length === 0) break;
          pages.push(seqs(page));
          cursor = page[0]!.seq;
        }
        expect(pages).toEqual([
          [7, 8, 9, 10],
          [3, 4, 5, 6],
          [1, 2],
        ]);
      }));

    it("combines afterSeq and beforeSeq into a window", () =>
      withDb(h, async ({ repo }) => {
        await tenEvents(repo);
        expect(seqs(await repo.getEvents("p", { afterSeq: 2, beforeSeq: 7 }))).toEqual([3, 4, 5, 6]);
        expect(seqs(await repo.getEvents("p", { afterSeq: 2, beforeSeq: 7, limit: 2 }))).toEqual([3, 4]);
        expect(seqs(await repo.getEvents("p", { afterSeq: 5, beforeSeq: 5 }))).toEqual([]);
      }));

    it("pages stay stable across the gaps compaction leaves", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("p", "q", { request_id: "r1" }));
        for (let i = 0; i < 4; i++) await add(repo, delta("p", "r1", `d${i}`));
        await repo.compactDeltas("p", "r1", "answer");
        await add(repo, user("p", "q2"));
        const all = await repo.getEvents("p");
        expect(seqs(all)).toEqual([1, 6, 7]);
        expect(seqs(await repo.getEvents("p", { afterSeq: 1, limit: 1 }))).toEqual([6]);
        expect(seqs(await repo.getEvents("p", { beforeSeq: 7, limit: 1 }))).toEqual([6]);
      }));
  });

  describe("getConversationHistory", () => {
    it("returns only LLM-visible events, chronologically", () =>
      withDb(h, async ({ repo }) => {
        const u = await add(repo, user("c", "q", { request_id: "r" }));
        await add(repo, delta("c", "r", "partial"));
        const call = await add(repo, toolCall("c", "t1"));
        const result = await add(repo, toolResult("c", "t1"));
        const visible = await add(repo, {
          conversationId: "c",
          type: "system_update",
          role: "system",
          content: "now visible",
          extra: { visible_to_model: true },
        });
        await add(repo, { conversationId: "c", type: "system_update", role: "system", content: "hidden" });
        await add(repo, {
          conversationId: "c",
          type: "system_update",
          role: "system",
          content: "truthy but not true",
          extra: { visible_to_model: "true" },
        });
        await add(repo, { conversationId: "c", type: "meta", content: "bookkeeping" });
        const a = await add(repo, assistant("c", "answer"));
        expect(await repo.getConversationHistory("c")).toEqual([u, call, result, visible, a]);
      }));

    it("limit keeps the most recent events", () =>
      withDb(h, async ({ repo }) => {
        const events = await tenEvents(repo, "c");
        await add(repo, { conversationId: "c", type: "meta", content: "after" });
        expect(await repo.getConversationHistory("c", { limit: 3 })).toEqual(events.slice(7));
        expect(await repo.getConversationHistory("c", { limit: 100 })).toEqual(events);
      }));

    it("a limited window never starts with tool results whose call fell outside it: they are dropped", () =>
      withDb(h, async ({ repo }) => {
        const q = await add(repo, user("c", "q"));
        const call = await add(repo, toolCall("c", "t1", "t2"));
        const r1 = await add(repo, toolResult("c", "t1"));
        const r2 = await add(repo, toolResult("c", "t2"));
        const a = await add(repo, assistant("c", "answer"));
        // The 3 most recent are r1, r2, a: both results lost their call, so only a remains.
        expect(await repo.getConversationHistory("c", { limit: 3 })).toEqual([a]);
        expect(await repo.getConversationHistory("c", { limit: 2 })).toEqual([a]);
        // A window that includes the call keeps its results.
        expect(await repo.getConversationHistory("c", { limit: 4 })).toEqual([call, r1, r2, a]);
        expect(await repo.getConversationHistory("c", { limit: 5 })).toEqual([q, call, r1, r2, a]);
        // Without a limit nothing is dropped.
        expect(await repo.getConversationHistory("c")).toEqual([q, call, r1, r2, a]);
      }));
  });
}
