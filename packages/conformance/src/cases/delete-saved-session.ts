import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, count, countEvents, rejectsWith, user, withDb } from "./support.ts";

export function deleteSavedSessionCases(h: DriverHarness): void {
  describe("deleteSavedSession", () => {
    it("removes that one saved session and leaves the conversation and its other snapshots", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q1"));
        await add(repo, assistant("c", "a1"));
        const first = await repo.saveSession("c", "first");
        await add(repo, user("c", "q2"));
        const second = await repo.saveSession("c", "second");
        const other = await repo.saveSession((await add(repo, user("d", "x"))).conversationId);

        expect(await repo.deleteSavedSession(first)).toBe(true);

        await rejectsWith(() => repo.loadSavedSession(first), "NOT_FOUND");
        expect((await repo.listSavedSessions()).map((s) => s.id).sort()).toEqual([second, other].sort());
        expect((await repo.loadSavedSession(second)).map((e) => e.content)).toEqual(["q1", "a1", "q2"]);
        // The snapshot is a record over the log: deleting it leaves every event in place.
        expect(await countEvents(raw, "c")).toBe(3);
        expect((await repo.stats()).savedSessions).toBe(2);
      }));

    it("an unknown id removes nothing and answers false, so a removal can be repeated", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q"));
        const saved = await repo.saveSession("c");
        expect(await repo.deleteSavedSession("no-such-saved-session")).toBe(false);
        expect(await repo.deleteSavedSession(saved)).toBe(true);
        expect(await repo.deleteSavedSession(saved)).toBe(false);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_saved_sessions")).toBe(0);
      }));

    it("its conversation is no longer kept by the clear trigger once its last snapshot is gone", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q"));
        const one = await repo.saveSession("c");
        const two = await repo.saveSession("c");
        await repo.deleteSavedSession(one);
        expect(await repo.handleClearSession()).toBe(true);
        // Still protected by the second snapshot.
        expect(await countEvents(raw, "c")).toBe(1);
        await repo.deleteSavedSession(two);
        expect(await repo.handleClearSession()).toBe(true);
        expect(await countEvents(raw, "c")).toBe(0);
      }));

    it("rejects a malformed saved id and writes nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q"));
        await repo.saveSession("c");
        for (const bad of ["", "a\u0000b", "x".repeat(10_000), 7 as unknown as string]) {
          await rejectsWith(() => repo.deleteSavedSession(bad), "INVALID_ARGUMENT");
        }
        expect(await count(raw, "SELECT COUNT(*) FROM chat_saved_sessions")).toBe(1);
      }));
  });
}
