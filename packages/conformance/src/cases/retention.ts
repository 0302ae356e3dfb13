import type { ChatEvent, NewChatEvent } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import {
  add,
  assistant,
  countEvents,
  delta,
  hoursAgo,
  toolCall,
  toolResult,
  user,
  withDb,
} from "./support.ts";

const NO_DELETIONS = {
  deletedByAge: 0,
  deletedByMaxMessages: 0,
  deletedByMaxSessions: 0,
  expiredSavedSessions: 0,
  removedConversations: 0,
};

/** Appends `events` with the given ages in hours, oldest first. */
async function addAged(repo: EngineChatRepository, events: [NewChatEvent, number][]): Promise<ChatEvent[]> {
  const stored: ChatEvent[] = [];
  for (const [event, hours] of events) stored.push(await add(repo, { ...event, createdAt: hoursAgo(hours) }));
  return stored;
}

/** No tool result is left without its call, and no call without its results. */
function expectToolPairsWhole(events: readonly ChatEvent[]): void {
  const calls = new Set(events.flatMap((e) => e.toolCalls.map((c) => c.id)));
  const results = new Set(
    events.filter((e) => e.type === "tool_result").map((e) => String(e.extra.tool_call_id)),
  );
  expect(
    [...results].filter((id) => !calls.has(id)),
    "results without their call",
  ).toEqual([]);
  expect(
    [...calls].filter((id) => !results.has(id)),
    "calls without their result",
  ).toEqual([]);
}

const ids = (events: readonly ChatEvent[]) => events.map((e) => e.id);

export function retentionCases(h: DriverHarness): void {
  describe("retention (runRetention)", () => {
    it("does nothing when no policy is configured", () =>
      withDb(h, async ({ repo, raw }) => {
        await addAged(repo, [[user("c", "ancient"), 10_000]]);
        expect(await repo.runRetention()).toEqual(NO_DELETIONS);
        expect(await countEvents(raw)).toBe(1);
      }));

    it("maxAgeHours deletes old turns and conversations, keeping recent ones", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          await addAged(repo, [
            [user("gone", "q"), 5],
            [assistant("gone", "a"), 4.9],
          ]);
          const mixed = await addAged(repo, [
            [user("mixed", "old q"), 5],
            [assistant("mixed", "old a"), 4.9],
            [user("mixed", "new q"), 0.2],
            [assistant("mixed", "new a"), 0.1],
          ]);
          const fresh = await addAged(repo, [[user("fresh", "q"), 0.1]]);
          const result = await repo.runRetention();
          expect(result).toEqual({ ...NO_DELETIONS, deletedByAge: 4, removedConversations: 1 });
          expect(await repo.getEvents("gone")).toEqual([]);
          expect(ids(await repo.getEvents("mixed"))).toEqual(ids(mixed.slice(2)));
          expect(ids(await repo.getEvents("fresh"))).toEqual(ids(fresh));
          expect(await countEvents(raw)).toBe(3);
          expect((await repo.listConversations()).conversations.map((c) => c.conversationId).sort()).toEqual([
            "fresh",
            "mixed",
          ]);
        },
        { retention: { maxAgeHours: 1 } },
      ));

    it("maxAgeHours never separates a tool call from its result nor splits a streamed turn", () =>
      withDb(
        h,
        async ({ repo }) => {
          const toolTurn = await addAged(repo, [
            [user("t", "q"), 3],
            [toolCall("t", "call-1"), 2.5],
            // the age cut falls here
            [toolResult("t", "call-1"), 1],
            [assistant("t", "a"), 0.5],
          ]);
          const streamed = await addAged(repo, [
            [user("s", "q", { request_id: "r" }), 3],
            [delta("s", "r", "d1"), 2.9],
            [delta("s", "r", "d2"), 2.8],
            // the age cut falls here
            [delta("s", "r", "d3"), 0.5],
          ]);
          await repo.runRetention();
          const t = await repo.getEvents("t");
          expectToolPairsWhole(t);
          expect(ids(t)).toEqual(ids(toolTurn));
          expect(ids(await repo.getEvents("s"))).toEqual(ids(streamed));
        },
        { retention: { maxAgeHours: 2 } },
      ));

    it("maxMessages removes the oldest events first, a whole turn at a time", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          const events = await addAged(repo, [
            [user("a", "1"), 6],
            [assistant("a", "1"), 5],
            [user("b", "2"), 4],
            [assistant("b", "2"), 3],
            [user("a", "3"), 2],
            [assistant("a", "3"), 1],
          ]);
          const result = await repo.runRetention();
          expect(result.deletedByMaxMessages).toBe(2);
          expect(await countEvents(raw)).toBe(4);
          const left = [...(await repo.getEvents("a")), ...(await repo.getEvents("b"))];
          expect(ids(left).sort()).toEqual(ids(events.slice(2)).sort());
        },
        { retention: { maxMessages: 4 } },
      ));

    it("maxMessages is a maximum: a turn straddling the cut goes whole, leaving fewer events", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          const events = await addAged(repo, [
            [user("a", "1"), 9],
            [assistant("a", "1"), 8],
            [user("a", "2"), 7],
            [assistant("a", "2"), 6],
            [user("b", "3"), 5],
            [toolCall("b", "t"), 4],
            [toolResult("b", "t"), 3],
            [assistant("b", "3"), 2],
          ]);
          // 8 events, at most 5: the three oldest (a's u1, a1, u2) must go. The cut falls inside
          // a's second turn, so that turn goes whole (cutting above, as before, kept 6 events).
          const result = await repo.runRetention();
          expect(await countEvents(raw)).toBeLessThanOrEqual(5);
          expect(result.deletedByMaxMessages).toBe(4);
          expect(ids(await repo.getEvents("a"))).toEqual([]);
          expect(ids(await repo.getEvents("b"))).toEqual(ids(events.slice(4)));
        },
        { retention: { maxMessages: 5 } },
      ));

    it("maxMessages with a boundary between a tool call and its result leaves neither alone", () =>
      withDb(
        h,
        async ({ repo }) => {
          const events = await addAged(repo, [
            [user("c", "1"), 6],
            [assistant("c", "1"), 5],
            [user("c", "2"), 4],
            [toolCall("c", "call-x"), 3],
            // keeping only the 2 newest events would cut here
            [toolResult("c", "call-x"), 2],
            [assistant("c", "2"), 1],
          ]);
          const result = await repo.runRetention();
          expect(result.deletedByMaxMessages).toBeGreaterThan(0);
          const left = await repo.getEvents("c");
          expect(left.length).toBeLessThanOrEqual(2);
          expectToolPairsWhole(left);
          // What is left is the most recent part of the conversation, without holes.
          expect(ids(left)).toEqual(ids(events.slice(events.length - left.length)));
          expect(ids(left)).not.toContain(events[0]!.id);
          const messages = await repo.buildLlmConversation("c", "next", "sys");
          const toolMessages = messages.filter((m) => m.role === "tool");
          const callMessages = messages.filter((m) => m.role === "assistant" && m.tool_calls !== undefined);
          expect(toolMessages.length === 0).toBe(callMessages.length === 0);
        },
        { retention: { maxMessages: 2 } },
      ));

    it("maxMessages never leaves half of a streamed turn", () =>
      withDb(
        h,
        async ({ repo }) => {
          await addAged(repo, [
            [user("c", "1"), 6],
            [assistant("c", "1"), 5],
          ]);
          const turn = await addAged(repo, [
            [user("c", "2", { request_id: "r2" }), 4],
            [delta("c", "r2", "a"), 3],
            [delta("c", "r2", "b"), 2],
            [delta("c", "r2", "c"), 1],
          ]);
          await repo.runRetention();
          const left = ids(await repo.getEvents("c"));
          const kept = ids(turn).filter((id) => left.includes(id));
          expect(
            kept.length === 0 || kept.length === turn.length,
            `kept ${kept.length} of ${turn.length}`,
          ).toBe(true);
        },
        { retention: { maxMessages: 2 } },
      ));

    it("maxSessions keeps the most recently active conversations", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          await addAged(repo, [
            [user("oldest", "x"), 9],
            [user("old", "x"), 8],
            [user("old", "y"), 7],
            [user("recent", "x"), 6],
            [user("oldest", "z"), 1], // the oldest conversation is the most recently active
          ]);
          const result = await repo.runRetention();
          expect(result).toEqual({ ...NO_DELETIONS, deletedByMaxSessions: 2, removedConversations: 1 });
          expect((await repo.listConversations()).conversations.map((c) => c.conversationId)).toEqual([
            "oldest",
            "recent",
          ]);
          expect(await countEvents(raw, "old")).toBe(0);
        },
        { retention: { maxSessions: 2 } },
      ));

    it("a saved conversation survives every policy", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          const saved = await addAged(repo, [
            [user("keep", "q"), 100],
            [toolCall("keep", "k1"), 99],
            [toolResult("keep", "k1"), 98],
            [assistant("keep", "a"), 97],
          ]);
          await repo.saveSession("keep", "important");
          await addAged(repo, [
            [user("drop", "q"), 100],
            [user("drop2", "q"), 0.1],
          ]);
          const result = await repo.runRetention();
          expect(result.deletedByAge + result.deletedByMaxMessages + result.deletedByMaxSessions).toBe(2);
          expect(await repo.getEvents("keep")).toEqual(saved);
          expect(await countEvents(raw)).toBe(4);
          expect(await repo.handleClearSession()).toBe(true);
          expect(await repo.getEvents("keep")).toEqual(saved);
          expect(await countEvents(raw)).toBe(4);
        },
        {
          retention: { maxAgeHours: 1, maxMessages: 1, maxSessions: 0 },
          clearTriggersBeforeFullWipe: 1,
        },
      ));

    it("runs in the background on its interval and stops on close", async () => {
      const errors: unknown[] = [];
      await withDb(
        h,
        async ({ repo, raw }) => {
          await addAged(repo, [[user("c", "old"), 10]]);
          const deadline = Date.now() + 20_000;
          while ((await countEvents(raw)) > 0 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          expect(await countEvents(raw)).toBe(0);
          await repo.close();
          // Nothing runs against the closed repository afterwards.
          await new Promise((resolve) => setTimeout(resolve, 300));
        },
        // 0.002 minutes: about every 120 ms.
        {
          retention: { maxAgeHours: 1, cleanupIntervalMinutes: 0.002 },
          onBackgroundError: (e) => errors.push(e),
        },
      );
      expect(errors).toEqual([]);
    });
  });
}
