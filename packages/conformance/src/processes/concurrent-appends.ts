import { expect, it } from "vitest";
import { type DriverHarness, isPostgres } from "../harness.ts";
import { Child, describeExit, startTogether, targetOf } from "./child-process.ts";

const CHILDREN = 4;
const PER_CHILD = 250;
const WAVE = 50;

interface AppendReport {
  tag: string;
  seqs: number[];
  errors: string[];
}

/**
 * SPEC defect 1: the seed read MAX(seq) outside its write and produced duplicate seqs across
 * processes. Four processes appending concurrently to one conversation must yield exactly
 * 1..N, each seq once, with every append acknowledged and nothing failing.
 */
export function registerConcurrentAppends(h: DriverHarness): void {
  it("four processes appending 250 events each to one conversation get seq 1..1000, no gaps or duplicates", async () => {
    const db = await h.create();
    const children: Child[] = [];
    try {
      const file = db.file as string;
      const conversationId = "conv-multi-process";
      children.push(
        ...Array.from({ length: CHILDREN }, (_, k) =>
          Child.script("append-events.ts", {
            ...targetOf(h, file),
            conversationId,
            count: PER_CHILD,
            wave: WAVE,
            tag: `child-${k}`,
          }),
        ),
      );
      await startTogether(children);
      const exits = await Promise.all(children.map((c) => c.exit(120_000)));

      const reports: AppendReport[] = [];
      exits.forEach((exit, k) => {
        expect(exit.code, describeExit(exit)).toBe(0);
        const [report] = (children[k] as Child).jsonLines<AppendReport>().filter((r) => "seqs" in r);
        expect(report, describeExit(exit)).toBeDefined();
        expect(report?.errors).toEqual([]);
        expect(report?.seqs).toHaveLength(PER_CHILD);
        reports.push(report as AppendReport);
      });

      const total = CHILDREN * PER_CHILD;
      const expected = Array.from({ length: total }, (_, i) => i + 1);
      // What the children were told, taken together, is exactly 1..1000.
      expect(reports.flatMap((r) => r.seqs).sort((a, b) => a - b)).toEqual(expected);

      // What is stored, read with raw SQL on a separate connection.
      const rows = await db.raw.all(
        isPostgres(h)
          ? "SELECT seq, extra ->> 'writer' AS writer, extra ->> 'index' AS i FROM chat_events WHERE conversation_id = ? ORDER BY seq"
          : "SELECT seq, json_extract(extra, '$.writer') AS writer, json_extract(extra, '$.index') AS i FROM chat_events WHERE conversation_id = ? ORDER BY seq",
        conversationId,
      );
      expect(rows.map((r) => Number(r.seq))).toEqual(expected);
      for (let k = 0; k < CHILDREN; k++) {
        const mine = rows.filter((r) => r.writer === `child-${k}`).map((r) => Number(r.i));
        expect(mine.sort((a, b) => a - b)).toEqual(Array.from({ length: PER_CHILD }, (_, i) => i));
      }
      // Each child's own writes keep their order: a wave is committed before the next is issued.
      for (const report of reports) {
        const waves = [];
        for (let s = 0; s < PER_CHILD; s += WAVE) waves.push(report.seqs.slice(s, s + WAVE));
        for (let w = 1; w < waves.length; w++) {
          expect(Math.min(...(waves[w] as number[]))).toBeGreaterThan(
            Math.max(...(waves[w - 1] as number[])),
          );
        }
      }

      // The repository's own view agrees: events in order and the conversation summary.
      const events = await db.repo.getEvents(conversationId);
      expect(events.map((e) => e.seq)).toEqual(expected);
      const { conversations } = await db.repo.listConversations();
      expect(conversations).toEqual([expect.objectContaining({ conversationId, eventCount: total })]);
      const [summary] = await db.raw.all(
        "SELECT last_seq FROM chat_conversations WHERE conversation_id = ?",
        conversationId,
      );
      expect(Number(summary?.last_seq)).toBe(total);

      // And the next append continues after the high-water mark.
      const next = await db.repo.addEvent({
        conversationId,
        type: "user_message",
        role: "user",
        content: "after",
      });
      expect(next.event.seq).toBe(total + 1);
    } finally {
      for (const c of children) c.stop();
      await db.dispose();
    }
  });
}
