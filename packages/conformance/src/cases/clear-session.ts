import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, countEvents, delta, user, withDb } from "./support.ts";

export function clearSessionCases(h: DriverHarness): void {
  describe("handleClearSession", () => {
    it("wipes every conversation but the saved ones on each call by default", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("a", "x"));
        await add(repo, user("b", "x"));
        const kept = await add(repo, user("saved", "x"));
        await repo.saveSession("saved");
        expect(await repo.handleClearSession()).toBe(true);
        expect(await countEvents(raw)).toBe(1);
        expect(await repo.getEvents("saved")).toEqual([kept]);
        expect((await repo.listConversations()).conversations.map((c) => c.conversationId)).toEqual([
          "saved",
        ]);
        await add(repo, user("a", "again"));
        expect(await repo.handleClearSession()).toBe(true);
        expect(await countEvents(raw)).toBe(1);
      }));

    it("with clearTriggersBeforeFullWipe N, only every Nth call wipes and returns true", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          const calls: boolean[] = [];
          for (let i = 0; i < 6; i++) {
            await add(repo, user(`c${i}`, "x"));
            calls.push(await repo.handleClearSession());
            // Until the wipe, nothing is deleted.
            expect(await countEvents(raw)).toBe(calls.at(-1) ? 0 : (i % 3) + 1);
          }
          expect(calls).toEqual([false, false, true, false, false, true]);
        },
        { clearTriggersBeforeFullWipe: 3 },
      ));

    it("N defaults to retention.maxSessions", () =>
      withDb(
        h,
        async ({ repo }) => {
          await add(repo, user("c", "x"));
          expect([await repo.handleClearSession(), await repo.handleClearSession()]).toEqual([false, true]);
        },
        { retention: { maxSessions: 2 } },
      ));

    it.skipIf(!h.file)("the call count survives a restart", async () => {
      const options = { clearTriggersBeforeFullWipe: 3 };
      const first = await h.create(options);
      try {
        await add(first.repo, user("c", "x"));
        expect(await first.repo.handleClearSession()).toBe(false);
        await first.repo.close();
        const second = await h.reopen(first.file!, options);
        try {
          expect(await second.repo.handleClearSession()).toBe(false);
          expect(await countEvents(second.raw)).toBe(1);
          expect(await second.repo.handleClearSession()).toBe(true);
          expect(await countEvents(second.raw)).toBe(0);
        } finally {
          await second.dispose();
        }
      } finally {
        await first.dispose();
      }
    });

    it("wipes large conversations completely, streamed turns included, and seqs stay unique afterwards", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("big", "q", { request_id: "r" }));
        await Promise.all(Array.from({ length: 2500 }, (_, i) => repo.addEvent(delta("big", "r", `d${i}`))));
        const lastSeq = (await repo.getEvents("big", { beforeSeq: Number.MAX_SAFE_INTEGER, limit: 1 }))[0]!
          .seq;
        expect(await repo.handleClearSession()).toBe(true);
        expect(await countEvents(raw)).toBe(0);
        expect((await add(repo, user("big", "after"))).seq).toBeGreaterThan(lastSeq);
      }));
  });
}
