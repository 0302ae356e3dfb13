import type { ChatEvent } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, at, count, countEvents, delta, rejectsWith, user, withDb } from "./support.ts";

/** A conversation as it would come out of an export: stored events from another database. */
async function exported(h: DriverHarness): Promise<ChatEvent[]> {
  return withDb(h, async ({ repo }) => {
    await add(repo, { ...user("c", "q", { request_id: "r1" }), createdAt: at(0) });
    await add(repo, { ...delta("c", "r1", "gone"), createdAt: at(1) });
    await repo.compactDeltas("c", "r1", "[1, 2]");
    await add(repo, { ...user("d", "other"), createdAt: at(5), raw: false, usage: { t: 1 } });
    return [...(await repo.getEvents("c")), ...(await repo.getEvents("d"))];
  });
}

export function importStatsCases(h: DriverHarness): void {
  describe("importEvents", () => {
    it("keeps ids, seqs, timestamps and content; appends continue after the imported seqs", () =>
      withDb(h, async ({ repo }) => {
        const events = await exported(h);
        expect(events.map((e) => e.seq)).toEqual([1, 3, 1]);
        expect(await repo.importEvents(events)).toEqual({ imported: 3, skipped: 0 });
        expect([...(await repo.getEvents("c")), ...(await repo.getEvents("d"))]).toEqual(events);
        expect((await add(repo, user("c", "next"))).seq).toBe(4);
        expect(await repo.getExistingAssistantResponse("c", "r1")).toEqual(events[1]);
      }));

    it("a re-import skips what is already there", () =>
      withDb(h, async ({ repo, raw }) => {
        const events = await exported(h);
        await repo.importEvents(events);
        expect(await repo.importEvents(events)).toEqual({ imported: 0, skipped: 3 });
        expect(await countEvents(raw)).toBe(3);
      }));

    it("accepts an async iterable", () =>
      withDb(h, async ({ repo }) => {
        const events = await exported(h);
        async function* stream() {
          yield* events;
        }
        expect(await repo.importEvents(stream())).toEqual({ imported: 3, skipped: 0 });
      }));

    it("a conflicting event rolls the whole import back with CONFLICT and its index", () =>
      withDb(h, async ({ repo, raw }) => {
        const events = await exported(h);
        await add(repo, user("d", "already at seq 1"));
        const error = await rejectsWith(() => repo.importEvents(events), "CONFLICT");
        expect(error.details.index).toBe(2);
        expect(await countEvents(raw)).toBe(1);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE conversation_id = 'c'")).toBe(0);
      }));

    it("an invalid event rolls the whole import back with its code and index", () =>
      withDb(h, async ({ repo, raw }) => {
        const events = await exported(h);
        const broken = [
          ...events,
          { ...events[0]!, id: "new-id", seq: 9, type: "bogus" } as unknown as ChatEvent,
        ];
        const error = await rejectsWith(() => repo.importEvents(broken), "UNKNOWN_EVENT_TYPE");
        expect(error.details.index).toBe(3);
        const noSeq = [{ ...events[0]!, seq: undefined } as unknown as ChatEvent];
        await rejectsWith(() => repo.importEvents(noSeq), "INVALID_EVENT");
        expect(await countEvents(raw)).toBe(0);
      }));
  });

  describe("stats", () => {
    it("counts events by type, conversations and saved sessions, with the activity range", () =>
      withDb(h, async ({ repo }) => {
        const empty = await repo.stats();
        expect(empty).toMatchObject({
          eventsByType: {},
          events: 0,
          conversations: 0,
          savedSessions: 0,
          oldestActivity: null,
          newestActivity: null,
        });
        await add(repo, { ...user("a", "q"), createdAt: at(0) });
        await add(repo, { ...assistant("a", "x"), createdAt: at(1) });
        await add(repo, { ...user("b", "q"), createdAt: at(7) });
        await add(repo, { ...delta("b", "r", "d"), createdAt: at(8) });
        await repo.saveSession("a");
        const stats = await repo.stats();
        expect(stats).toMatchObject({
          eventsByType: { user_message: 2, assistant_message: 1, meta: 1 },
          events: 4,
          conversations: 2,
          savedSessions: 1,
          oldestActivity: at(0),
          newestActivity: at(8),
        });
        expect(stats.databaseBytes).toBeGreaterThan(0);
      }));
  });
}
