import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, delta, rejectsWith, toolCall, toolResult, user, withDb } from "./support.ts";

/** The bounded reads a server builds its list routes on: every long list has a page and a cursor. */
export function pagingCases(h: DriverHarness): void {
  describe("paging", () => {
    it("getConversationHistory pages back with beforeSeq, most recent events first", () =>
      withDb(h, async ({ repo }) => {
        for (let i = 1; i <= 5; i++) {
          await add(repo, user("c", `q${i}`));
          await add(repo, assistant("c", `a${i}`));
        }
        const newest = await repo.getConversationHistory("c", { limit: 4 });
        expect(newest.map((e) => e.content)).toEqual(["q4", "a4", "q5", "a5"]);
        const older = await repo.getConversationHistory("c", { limit: 4, beforeSeq: newest[0]!.seq });
        expect(older.map((e) => e.content)).toEqual(["q2", "a2", "q3", "a3"]);
        const oldest = await repo.getConversationHistory("c", { beforeSeq: older[0]!.seq });
        expect(oldest.map((e) => e.content)).toEqual(["q1", "a1"]);
        await rejectsWith(() => repo.getConversationHistory("c", { beforeSeq: 1.5 }), "INVALID_ARGUMENT");
      }));

    it("listSavedSessionsPage walks listSavedSessions in pages, even for saves in the same millisecond", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "x"));
        for (let i = 0; i < 7; i++) await repo.saveSession("c", `s${i}`);
        const all = (await repo.listSavedSessions()).map((s) => s.id);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof repo.listSavedSessionsPage>> =
            await repo.listSavedSessionsPage({
              limit: 3,
              cursor,
            });
          expect(page.saved.length).toBeLessThanOrEqual(3);
          paged.push(...page.saved.map((s) => s.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(paged).toEqual(all);
        expect((await repo.listSavedSessionsPage()).saved).toHaveLength(7);
        await rejectsWith(() => repo.listSavedSessionsPage({ cursor: "bogus" }), "INVALID_ARGUMENT");
      }));

    it("loadSavedSessionPage pages forward with afterSeq and limit, within the snapshot", () =>
      withDb(h, async ({ repo }) => {
        for (let i = 1; i <= 3; i++) await add(repo, user("c", `q${i}`));
        const id = await repo.saveSession("c");
        await add(repo, user("c", "after the save"));
        const first = await repo.loadSavedSessionPage(id, { limit: 2 });
        expect(first.events.map((e) => e.content)).toEqual(["q1", "q2"]);
        expect(first.nextAfterSeq).toBe(first.events[1]!.seq);
        const rest = await repo.loadSavedSessionPage(id, { afterSeq: first.nextAfterSeq!, limit: 2 });
        expect(rest.events.map((e) => e.content)).toEqual(["q3"]);
        expect(rest.nextAfterSeq).toBeNull();
        expect((await repo.loadSavedSessionPage(id)).events).toEqual(await repo.loadSavedSession(id));
        await rejectsWith(() => repo.loadSavedSessionPage(id, { limit: 0 }), "INVALID_ARGUMENT");
      }));

    it("a page of a mid-stream save whose reply landed since does not make the next page skip the turn's tool events", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "q1"));
        await add(repo, assistant("c", "a1"));
        await repo.handleUserMessagePersistence("c", "live question", "live");
        await add(repo, { ...toolCall("c", "call-1"), extra: { user_request_id: "live" } });
        await add(repo, {
          ...toolResult("c", "call-1"),
          extra: { tool_call_id: "call-1", user_request_id: "live" },
        });
        await add(repo, delta("c", "live", "partial "));
        const id = await repo.saveSession("c");
        await repo.compactDeltas("c", "live", "partial answer");

        const pages = [];
        let afterSeq: number | null = 0;
        while (afterSeq !== null) {
          const page: Awaited<ReturnType<typeof repo.loadSavedSessionPage>> = await repo.loadSavedSessionPage(
            id,
            {
              afterSeq,
              limit: 3,
            },
          );
          pages.push(page.events.map((e) => e.type));
          afterSeq = page.nextAfterSeq;
        }
        // The landed reply follows its user message's page; the tool events are on the next one.
        expect(pages.flat()).toEqual(expect.arrayContaining(["tool_call", "tool_result"]));
        expect(pages.flat().filter((t) => t === "assistant_message")).toHaveLength(2);
        const all = (await repo.loadSavedSession(id)).map((e) => e.type);
        expect([...pages.flat()].sort()).toEqual([...all].sort());
      }));
  });
}
