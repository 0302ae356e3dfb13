import { type ConversationSummary, TITLE_MAX_CHARS } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { describe, expect, it } from "vitest";
import { exportedEvent } from "../fixtures.ts";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, at, delta, derivedSummary, hoursAgo, user, withDb } from "./support.ts";

async function allPages(repo: EngineChatRepository, limit: number): Promise<ConversationSummary[][]> {
  const pages: ConversationSummary[][] = [];
  let cursor: string | null = null;
  do {
    const page = await repo.listConversations({ limit, cursor });
    pages.push(page.conversations);
    cursor = page.nextCursor;
    if (pages.length > 100) throw new Error("cursor never ends");
  } while (cursor !== null);
  return pages;
}

export function listConversationCases(h: DriverHarness): void {
  describe("listConversations", () => {
    it("orders by last activity, newest first, with created/last-activity/count summaries", () =>
      withDb(h, async ({ repo }) => {
        // "old" started first but is the most recently active.
        await add(repo, { ...user("old", "1"), createdAt: at(0) });
        await add(repo, { ...user("mid", "1"), createdAt: at(1) });
        await add(repo, { ...user("new", "1"), createdAt: at(2) });
        await add(repo, { ...user("mid", "2"), createdAt: at(3) });
        await add(repo, { ...user("old", "2"), createdAt: at(4) });
        await add(repo, { ...user("old", "3"), createdAt: at(5) });
        const page = await repo.listConversations();
        expect(page.nextCursor).toBeNull();
        expect(page.conversations).toEqual([
          {
            conversationId: "old",
            createdAt: at(0),
            lastActivityAt: at(5),
            eventCount: 3,
            title: "1",
            ownerId: null,
          },
          {
            conversationId: "mid",
            createdAt: at(1),
            lastActivityAt: at(3),
            eventCount: 2,
            title: "1",
            ownerId: null,
          },
          {
            conversationId: "new",
            createdAt: at(2),
            lastActivityAt: at(2),
            eventCount: 1,
            title: "1",
            ownerId: null,
          },
        ]);
      }));

    it("is empty for an empty database", () =>
      withDb(h, async ({ repo }) => {
        expect(await repo.listConversations()).toEqual({ conversations: [], nextCursor: null });
      }));

    it("pages with limit and nextCursor: every conversation once, in order, null cursor at the end", () =>
      withDb(h, async ({ repo }) => {
        const ids = Array.from({ length: 7 }, (_, i) => `conv-${i}`);
        for (const [i, id] of ids.entries()) await add(repo, { ...user(id, "x"), createdAt: at(i) });
        const pages = await allPages(repo, 3);
        expect(pages.map((p) => p.map((c) => c.conversationId))).toEqual([
          ["conv-6", "conv-5", "conv-4"],
          ["conv-3", "conv-2", "conv-1"],
          ["conv-0"],
        ]);
        // An exact multiple of the page size ends with a null cursor, not an empty extra page.
        const exact = await allPages(repo, 7);
        expect(exact).toHaveLength(1);
        expect(exact[0]).toHaveLength(7);
      }));

    it("pages through conversations that share a last-activity instant without loss or repeats", () =>
      withDb(h, async ({ repo }) => {
        const ids = Array.from({ length: 5 }, (_, i) => `same-${i}`);
        for (const id of ids) await add(repo, { ...user(id, "x"), createdAt: at(0) });
        const pages = await allPages(repo, 2);
        const seen = pages.flat().map((c) => c.conversationId);
        expect([...seen].sort()).toEqual(ids);
        expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      }));

    it("moves a conversation to the front when it gets a new event", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, { ...user("a", "x"), createdAt: at(0) });
        await add(repo, { ...user("b", "x"), createdAt: at(1) });
        expect((await repo.listConversations()).conversations.map((c) => c.conversationId)).toEqual([
          "b",
          "a",
        ]);
        await add(repo, { ...user("a", "y"), createdAt: at(2) });
        expect((await repo.listConversations()).conversations.map((c) => c.conversationId)).toEqual([
          "a",
          "b",
        ]);
      }));

    it("summaries stay equal to what chat_events holds after compaction removes deltas", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, { ...user("c", "q", { request_id: "r" }), createdAt: at(0) });
        for (let i = 1; i <= 3; i++) await add(repo, { ...delta("c", "r", `d${i}`), createdAt: at(i) });
        await repo.compactDeltas("c", "r", "d1d2d3");
        const [summary] = (await repo.listConversations()).conversations;
        expect(summary).toMatchObject(await derivedSummary(raw, "c"));
        expect(summary?.eventCount).toBe(2);
      }));

    it("summaries stay equal to what chat_events holds after retention deletes the oldest turns", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          await add(repo, { ...user("c", "old turn"), createdAt: hoursAgo(5) });
          await add(repo, { ...user("c", "old reply"), createdAt: hoursAgo(4.9) });
          await add(repo, { ...user("c", "new turn"), createdAt: hoursAgo(0.5) });
          await add(repo, { ...user("d", "gone"), createdAt: hoursAgo(6) });
          const result = await repo.runRetention();
          expect(result.deletedByAge).toBe(3);
          const { conversations } = await repo.listConversations();
          expect(conversations).toMatchObject([await derivedSummary(raw, "c")]);
          expect(conversations[0]?.eventCount).toBe(1);
        },
        { retention: { maxAgeHours: 1 } },
      ));

    it("drops wiped conversations from the list and restarts their summary when they are reused", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, { ...user("a", "x"), createdAt: at(0) });
        await add(repo, { ...user("b", "x"), createdAt: at(1) });
        expect(await repo.handleClearSession()).toBe(true);
        expect(await repo.listConversations()).toEqual({ conversations: [], nextCursor: null });
        const again = await add(repo, { ...user("a", "back"), createdAt: at(10) });
        expect(again.seq).toBeGreaterThan(1);
        expect((await repo.listConversations()).conversations).toMatchObject([
          await derivedSummary(raw, "a"),
        ]);
        expect((await repo.listConversations()).conversations[0]).toMatchObject({
          createdAt: at(10),
          lastActivityAt: at(10),
          eventCount: 1,
        });
      }));

    it("last activity only grows while a conversation has events, and restarts from any time once it had none", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, { ...user("a", "x"), createdAt: at(5) });
        await add(repo, { ...user("b", "x"), createdAt: at(6) });
        // Same instant, then an older one (an import, a caller's createdAt): counted, order kept.
        await add(repo, { ...user("a", "same"), createdAt: at(5) });
        await add(repo, { ...user("a", "older"), createdAt: at(1) });
        let { conversations } = await repo.listConversations();
        expect(conversations.map((c) => c.conversationId)).toEqual(["b", "a"]);
        expect(conversations[1]).toMatchObject({ ...(await derivedSummary(raw, "a")), eventCount: 3 });
        expect(await repo.handleClearSession()).toBe(true);
        expect((await repo.listConversations()).conversations).toEqual([]);
        // Back with an event older than its last activity before the wipe: that event's time.
        await add(repo, { ...user("a", "back"), createdAt: at(2) });
        await add(repo, { ...user("b", "back"), createdAt: at(3) });
        ({ conversations } = await repo.listConversations());
        expect(conversations.map((c) => c.conversationId)).toEqual(["b", "a"]);
        expect(conversations[1]).toMatchObject({ createdAt: at(2), lastActivityAt: at(2), eventCount: 1 });
        expect(conversations[0]).toMatchObject(await derivedSummary(raw, "b"));
      }));

    it("names each conversation by the start of its first user message's text", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, { ...user("plain", "  What   time\nis it?  "), createdAt: at(1) });
        await add(repo, { ...user("plain", "a later question"), createdAt: at(2) });
        await add(repo, {
          ...user("parts", ""),
          content: [
            { type: "file", mediaType: "image/png", url: `data:image/png;base64,${"A".repeat(5000)}` },
            { type: "text", text: "Describe" },
            { type: "text", text: "this picture" },
          ],
          createdAt: at(3),
        });
        await add(repo, { ...user("long", "word ".repeat(100)), createdAt: at(4) });
        await add(repo, { ...assistant("silent", "no user message here"), createdAt: at(5) });
        await add(repo, { ...user("damaged", "fine so far"), createdAt: at(6) });
        // A row another program broke: parts that are not JSON. The list still answers.
        await raw.run(
          "UPDATE chat_events SET content_format = 'parts', content = '[{broken' WHERE conversation_id = 'damaged'",
        );
        const titles = Object.fromEntries(
          (await repo.listConversations()).conversations.map((c) => [c.conversationId, c.title]),
        );
        expect(titles.plain).toBe("What time is it?");
        expect(titles.parts).toBe("Describe this picture");
        expect(titles.silent).toBeNull();
        expect(titles.damaged).toBeNull();
        expect(Array.from(titles.long ?? "")).toHaveLength(TITLE_MAX_CHARS);
        expect(titles.long?.endsWith("…")).toBe(true);
      }));

    it("the title follows the stored events: a retention cut, an earlier imported message, a wipe", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          const titleOf = async (id: string) =>
            (await repo.listConversations()).conversations.find((c) => c.conversationId === id)?.title;
          await add(repo, { ...user("t", "old question"), createdAt: hoursAgo(50) });
          await add(repo, { ...assistant("t", "old answer"), createdAt: hoursAgo(50) });
          await add(repo, { ...user("t", "new question"), createdAt: hoursAgo(1) });
          expect(await titleOf("t")).toBe("old question");
          await repo.runRetention();
          expect(await titleOf("t")).toBe("new question");

          // An import may bring a user message at a lower seq than the current title's.
          const importAt = (seq: number, content: string) =>
            repo.importEvents([
              exportedEvent({ id: `i-${seq}`, conversationId: "i", seq, content, createdAt: hoursAgo(2) }),
            ]);
          await importAt(5, "fifth");
          expect(await titleOf("i")).toBe("fifth");
          await importAt(2, "second");
          expect(await titleOf("i")).toBe("second");

          // Another program rewriting the titled message's text: the title follows it.
          await raw.run("UPDATE chat_events SET content = 'rewritten' WHERE id = 'i-2'");
          expect(await titleOf("i")).toBe("rewritten");
          // ...and deleting it: the next user message is the title.
          await raw.run("DELETE FROM chat_events WHERE id = 'i-2'");
          expect(await titleOf("i")).toBe("fifth");
        },
        { retention: { maxAgeHours: 24 } },
      ));
  });
}
