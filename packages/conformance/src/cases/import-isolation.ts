import type { ChatEvent } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import { exportedEvent } from "../fixtures.ts";
import type { DriverHarness } from "../harness.ts";
import { add, at, count, countEvents, rejectsWith, user, withDb } from "./support.ts";

/** `n` exported events of conversation `c` (seq 1..n), as another database would hand them over. */
function exportedEvents(c: string, n: number): ChatEvent[] {
  return Array.from({ length: n }, (_, i) =>
    exportedEvent({
      id: `${c}-${i + 1}`,
      conversationId: c,
      seq: i + 1,
      content: `imported ${i + 1}`,
      createdAt: at(i),
    }),
  );
}

/** Yields `events`, calling `midway` (and awaiting it) once after `after` of them. */
async function* withWritesMidway(
  events: ChatEvent[],
  after: number,
  midway: () => Promise<void>,
  failAtEnd = false,
): AsyncGenerator<ChatEvent> {
  for (let i = 0; i < events.length; i++) {
    if (i === after) await midway();
    yield events[i]!;
  }
  if (failAtEnd) throw new Error("the input broke off");
}

export function importIsolationCases(h: DriverHarness): void {
  describe("importEvents beside live writes", () => {
    it("writes acknowledged during a failed import stay; nothing of the import lands", () =>
      withDb(h, async ({ repo, raw }) => {
        const events = exportedEvents("imp", 1_300);
        let acknowledged = 0;
        const midway = async () => {
          await add(repo, user("live", "single append"));
          // A burst: the write queue commits these together in one transaction.
          const burst = await Promise.all(
            Array.from({ length: 10 }, (_, i) => repo.addEvent(user("live", `burst ${i}`))),
          );
          acknowledged = 1 + burst.filter((r) => r.added).length;
          await repo.handleUserMessagePersistence("live", "turn", "r1");
          await repo.persistAssistantMessage("live", "r1", "reply", null);
          acknowledged += 2;
        };
        await expect(repo.importEvents(withWritesMidway(events, 700, midway, true))).rejects.toThrow(
          "the input broke off",
        );
        expect(acknowledged).toBe(13);
        expect(await countEvents(raw, "live")).toBe(13);
        expect(await countEvents(raw, "imp")).toBe(0);
        expect(await count(raw, "SELECT COUNT(*) FROM chatlog_import_staging")).toBe(0);
      }));

    it("a successful import and the writes made during it both land, each exactly once", () =>
      withDb(h, async ({ repo, raw }) => {
        const events = exportedEvents("imp", 1_200);
        const midway = async () => {
          await Promise.all(Array.from({ length: 5 }, (_, i) => add(repo, user("live", `m${i}`))));
        };
        expect(await repo.importEvents(withWritesMidway(events, 600, midway))).toEqual({
          imported: 1_200,
          skipped: 0,
        });
        expect(await countEvents(raw, "imp")).toBe(1_200);
        expect(await countEvents(raw, "live")).toBe(5);
        expect(await repo.getEvents("imp", { limit: 2 })).toEqual(events.slice(0, 2));
        expect((await add(repo, user("imp", "after"))).seq).toBe(1_201);
      }));

    it("nothing of a large import is visible before it is published", () =>
      withDb(h, async ({ repo }) => {
        const events = exportedEvents("imp", 1_100);
        let seenMidway = -1;
        const midway = async () => {
          seenMidway = (await repo.getEvents("imp")).length;
        };
        await repo.importEvents(withWritesMidway(events, 1_050, midway));
        expect(seenMidway).toBe(0);
        expect((await repo.getEvents("imp")).length).toBe(1_100);
      }));

    it("a live write that takes a staged position before publishing makes the import a CONFLICT, wholly", () =>
      withDb(h, async ({ repo, raw }) => {
        const events = exportedEvents("imp", 1_100);
        // After the first chunk was staged and checked, seq 1 of "imp" is taken by a live append.
        const midway = async () => {
          await add(repo, user("imp", "live, first"));
        };
        await rejectsWith(() => repo.importEvents(withWritesMidway(events, 900, midway)), "CONFLICT");
        expect((await repo.getEvents("imp")).map((e) => e.content)).toEqual(["live, first"]);
        expect(await count(raw, "SELECT COUNT(*) FROM chatlog_import_staging")).toBe(0);
      }));

    it("the same event twice in one input is a CONFLICT naming the second", () =>
      withDb(h, async ({ repo, raw }) => {
        const events = exportedEvents("imp", 3);
        const error = await rejectsWith(() => repo.importEvents([...events, events[1]!]), "CONFLICT");
        expect(error.details.index).toBe(3);
        expect(await countEvents(raw)).toBe(0);
      }));
  });
}
