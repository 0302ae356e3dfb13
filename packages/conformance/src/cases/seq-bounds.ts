import { MAX_SEQ } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import { exportedEvent } from "../fixtures.ts";
import type { DriverHarness } from "../harness.ts";
import { add, at, count, countEvents, delta, rejectsWith, user, withDb } from "./support.ts";

/** One exported event of conversation `c` at position `seq`. */
function exportedAt(c: string, seq: number, id = `${c}-${seq}`) {
  return exportedEvent({ id, conversationId: c, seq, content: `at ${seq}`, createdAt: at(seq % 1000) });
}

/**
 * Seqs stay exact integers with room to grow (issue 15, defect 2): an import may not bring a seq
 * above MAX_SEQ (2^50), and no write may take a conversation past it. A seq near 2^53 used to
 * be accepted, after which appends got seqs JavaScript cannot tell apart and vanished from reads.
 */
export function seqBoundCases(h: DriverHarness): void {
  describe("seq bounds", () => {
    it("an import bringing a seq above MAX_SEQ is refused with that event's position; nothing is written", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("live", "before"));
        const events = [exportedAt("imp", 1), exportedAt("live", 2 ** 53 - 1), exportedAt("imp", 2)];
        const error = await rejectsWith(() => repo.importEvents(events), "INVALID_EVENT");
        expect(error.details).toMatchObject({ index: 1 });
        expect(error.message).toContain("#2");
        expect(await countEvents(raw)).toBe(1);
        expect(await count(raw, "SELECT COUNT(*) FROM chatlog_import_staging")).toBe(0);
        // The conversation goes on as before.
        const next = await add(repo, user("live", "after"));
        expect(next.seq).toBe(2);
        expect((await repo.getEvents("live")).map((e) => e.seq)).toEqual([1, 2]);
      }));

    it("an import may bring MAX_SEQ itself, and an append may reach it exactly", () =>
      withDb(h, async ({ repo }) => {
        expect(await repo.importEvents([exportedAt("edge", MAX_SEQ - 1)])).toMatchObject({ imported: 1 });
        const last = await add(repo, user("edge", "the last one"));
        expect(last.seq).toBe(MAX_SEQ);
        const read = await repo.getEvents("edge");
        expect(read.map((e) => e.seq)).toEqual([MAX_SEQ - 1, MAX_SEQ]);
        expect(read.at(-1)?.content).toBe("the last one");
      }));

    it("past MAX_SEQ every kind of write is refused with SEQ_LIMIT and writes nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        await repo.importEvents([exportedAt("full", MAX_SEQ - 2)]);
        await add(repo, user("full", "question", { request_id: "r1" }));
        await add(repo, delta("full", "r1", "partial"));
        const stored = await countEvents(raw, "full");
        expect(stored).toBe(3);

        const refused = await rejectsWith(() => repo.addEvent(user("full", "one more")), "SEQ_LIMIT");
        expect(refused.details).toMatchObject({ conversationId: "full", maxSeq: MAX_SEQ });
        await rejectsWith(() => repo.handleUserMessagePersistence("full", "again", "r2"), "SEQ_LIMIT");
        await rejectsWith(() => repo.persistAssistantMessage("full", "r1", "reply", null), "SEQ_LIMIT");
        // Compaction is all or nothing: the refused reply takes the delta removal with it.
        await rejectsWith(() => repo.compactDeltas("full", "r1", "partial"), "SEQ_LIMIT");
        await rejectsWith(
          () => repo.importEvents([exportedAt("other", 1), exportedAt("full", MAX_SEQ + 1)]),
          "INVALID_EVENT",
        );

        expect(await countEvents(raw)).toBe(stored);
        const read = await repo.getEvents("full");
        expect(read.map((e) => e.seq)).toEqual([MAX_SEQ - 2, MAX_SEQ - 1, MAX_SEQ]);
        expect(read.at(-1)?.extra.kind).toBe("assistant_delta");
        const [summary] = (await repo.listConversations()).conversations;
        expect(summary).toMatchObject({ conversationId: "full", eventCount: 3 });
        // Other conversations are not affected.
        expect((await add(repo, user("fresh", "hello"))).seq).toBe(1);
      }));
  });
}
