import { expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { Child, describeExit, startTogether, targetOf } from "./child-process.ts";

const REQUESTS = 200;

interface PersistReport {
  tag: string;
  results: Record<string, boolean>;
  errors: string[];
}

/**
 * SPEC defects 1 and 4: two processes racing the same request ids through
 * handleUserMessagePersistence store each user message once and get exactly one `true` per id
 * between them; no UNIQUE-constraint error escapes.
 */
export function registerRequestIdRace(h: DriverHarness): void {
  it("two processes racing 200 request ids store each once, with exactly one true per id", async () => {
    const db = await h.create();
    const children: Child[] = [];
    try {
      const file = db.file as string;
      const conversationId = "conv-request-race";
      const ids = Array.from({ length: REQUESTS }, (_, i) => `req-${String(i).padStart(3, "0")}`);
      // One process walks the ids forwards and the other backwards, so both meet in the middle
      // as well as racing on the same ids at the ends.
      const orders = [ids, [...ids].reverse()];
      children.push(
        ...orders.map((requestIds, k) =>
          Child.script("persist-requests.ts", {
            ...targetOf(h, file),
            conversationId,
            requestIds,
            wave: 10,
            tag: `p${k}`,
          }),
        ),
      );
      await startTogether(children);
      const exits = await Promise.all(children.map((c) => c.exit(120_000)));

      const reports = exits.map((exit, k) => {
        expect(exit.code, describeExit(exit)).toBe(0);
        const [report] = (children[k] as Child).jsonLines<PersistReport>().filter((r) => "results" in r);
        expect(report, describeExit(exit)).toBeDefined();
        expect(report?.errors).toEqual([]);
        expect(Object.keys(report?.results ?? {}).sort()).toEqual(ids);
        return report as PersistReport;
      });

      for (const id of ids) {
        const trues = reports.filter((r) => r.results[id] === true).length;
        expect(trues, `request ${id}`).toBe(1);
      }

      const rows = await db.raw.all(
        `SELECT request_id, COUNT(*) AS n, MIN(type) AS type, MIN(content) AS content
         FROM chat_events WHERE conversation_id = ? GROUP BY request_id ORDER BY request_id`,
        conversationId,
      );
      expect(rows.map((r) => r.request_id)).toEqual(ids);
      for (const row of rows) {
        expect(Number(row.n), String(row.request_id)).toBe(1);
        expect(row.type).toBe("user_message");
        expect(row.content).toBe(`question ${row.request_id}`);
      }
      const seqs = await db.raw.all(
        "SELECT seq FROM chat_events WHERE conversation_id = ? ORDER BY seq",
        conversationId,
      );
      expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: REQUESTS }, (_, i) => i + 1));

      // A later retry from this process is recognised as one.
      await expect(
        db.repo.handleUserMessagePersistence(conversationId, "question req-000", "req-000"),
      ).resolves.toBe(false);
    } finally {
      for (const c of children) c.stop();
      await db.dispose();
    }
  });
}
