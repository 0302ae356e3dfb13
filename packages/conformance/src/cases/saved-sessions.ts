import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, at, count, delta, rejectsWith, user, withDb } from "./support.ts";

const DAY_MS = 86_400_000;

export function savedSessionCases(h: DriverHarness): void {
  describe("saved sessions", () => {
    it("saveSession returns an id; listSavedSessions describes it; loadSavedSession returns its events", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, { ...user("c", "q1"), createdAt: at(0) });
        await add(repo, { ...assistant("c", "a1"), createdAt: at(1) });
        await add(repo, { ...user("c", "q2"), createdAt: at(2) });
        const events = await repo.getEvents("c");
        const dayBefore = new Date().toISOString().slice(0, 10);
        const before = Date.now();
        const id = await repo.saveSession("c");
        const after = Date.now();
        const dayAfter = new Date().toISOString().slice(0, 10);
        expect(typeof id).toBe("string");
        expect(id.length).toBeGreaterThan(0);

        const [saved, ...others] = await repo.listSavedSessions();
        expect(others).toEqual([]);
        expect(saved).toMatchObject({
          id,
          conversationId: "c",
          sessionStart: at(0),
          sessionEnd: at(2),
          messageCount: 3,
        });
        // The default name comes from the UTC time of saving.
        expect(
          [dayBefore, dayAfter].some((day) => saved!.name.includes(day)),
          saved!.name,
        ).toBe(true);
        expect(saved!.createdAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(saved!.createdAt.getTime()).toBeLessThanOrEqual(after);
        expect(await repo.loadSavedSession(id)).toEqual(events);
      }));

    it("saved mid-stream: the reply so far, marked partial, then the final reply once it lands", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "earlier"));
        expect(await repo.handleUserMessagePersistence("c", "tell me", "r1")).toBe(true);
        await add(repo, delta("c", "r1", "Once "));
        await add(repo, delta("c", "r1", "upon"));
        const id = await repo.saveSession("c", "mid-stream");

        const during = await repo.loadSavedSession(id);
        expect(during.map((e) => [e.type, e.content])).toEqual([
          ["user_message", "earlier"],
          ["user_message", "tell me"],
          ["assistant_message", "Once upon"],
        ]);
        expect(during.at(-1)?.extra).toEqual({ user_request_id: "r1", partial: true });

        // The stream goes on and is compacted: the deltas the snapshot saw are gone.
        await add(repo, delta("c", "r1", " a time"));
        const final = await repo.compactDeltas("c", "r1", "Once upon a time");
        await add(repo, user("c", "after the save"));
        const after = await repo.loadSavedSession(id);
        expect(after.map((e) => [e.type, e.content])).toEqual([
          ["user_message", "earlier"],
          ["user_message", "tell me"],
          ["assistant_message", "Once upon a time"],
        ]);
        expect(after.at(-1)).toEqual(final);
      }));

    it("keeps a given name and lists the newest first", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("a", "x"));
        await add(repo, user("b", "y"));
        const first = await repo.saveSession("a", "first save");
        const second = await repo.saveSession("b", "second save");
        const third = await repo.saveSession("a", "again");
        const list = await repo.listSavedSessions();
        expect(list.map((s) => [s.id, s.name, s.conversationId])).toEqual([
          [third, "again", "a"],
          [second, "second save", "b"],
          [first, "first save", "a"],
        ]);
      }));

    it("a saved session keeps loading the events it was saved with", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "before save"));
        const snapshot = await repo.getEvents("c");
        const id = await repo.saveSession("c", "snap");
        await add(repo, user("c", "after save"));
        expect(await repo.loadSavedSession(id)).toEqual(snapshot);
      }));

    it("maxSaved drops the oldest saved session", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          for (const c of ["a", "b", "c"]) await add(repo, user(c, "x"));
          const a = await repo.saveSession("a", "a");
          const b = await repo.saveSession("b", "b");
          const c = await repo.saveSession("c", "c");
          expect((await repo.listSavedSessions()).map((s) => s.id)).toEqual([c, b]);
          expect(await count(raw, "SELECT COUNT(*) FROM chat_saved_sessions")).toBe(2);
          await rejectsWith(() => repo.loadSavedSession(a), "NOT_FOUND");
        },
        { savedSessions: { maxSaved: 2 } },
      ));

    it("retentionDays expires old saved sessions on a retention run", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          await add(repo, user("old", "x"));
          await add(repo, user("new", "x"));
          const old = await repo.saveSession("old", "old");
          const recent = await repo.saveSession("new", "new");
          await raw.run(
            "UPDATE chat_saved_sessions SET created_at_ms = ? WHERE id = ?",
            Date.now() - 3 * DAY_MS,
            old,
          );
          const result = await repo.runRetention();
          expect(result.expiredSavedSessions).toBe(1);
          expect((await repo.listSavedSessions()).map((s) => s.id)).toEqual([recent]);
          await rejectsWith(() => repo.loadSavedSession(old), "NOT_FOUND");
        },
        { savedSessions: { retentionDays: 2 } },
      ));

    it("saving an empty or unknown conversation is EMPTY_CONVERSATION and saves nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        await rejectsWith(() => repo.saveSession("unknown"), "EMPTY_CONVERSATION");
        await add(repo, user("wiped", "x"));
        expect(await repo.handleClearSession()).toBe(true);
        await rejectsWith(() => repo.saveSession("wiped", "n"), "EMPTY_CONVERSATION");
        expect(await count(raw, "SELECT COUNT(*) FROM chat_saved_sessions")).toBe(0);
      }));

    it("an unknown saved id is NOT_FOUND", () =>
      withDb(h, async ({ repo }) => {
        await rejectsWith(() => repo.loadSavedSession("0190c1d2-0000-7000-8000-000000000000"), "NOT_FOUND");
      }));

    it("savedSessions.enabled false refuses to save with FEATURE_DISABLED", () =>
      withDb(
        h,
        async ({ repo, raw }) => {
          await add(repo, user("c", "x"));
          await rejectsWith(() => repo.saveSession("c"), "FEATURE_DISABLED");
          expect(await count(raw, "SELECT COUNT(*) FROM chat_saved_sessions")).toBe(0);
        },
        { savedSessions: { enabled: false } },
      ));
  });
}
