import { expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { Child, describeExit, startTogether, targetOf } from "./child-process.ts";

const CONVERSATIONS = 100;

interface RaceReport {
  owner: string;
  won: string[];
  refused: string[];
  errors: string[];
}

/**
 * Two users in two processes race to create the same conversation ids: for each id exactly one
 * wins (its first write made it theirs), the other is refused with NOT_OWNER, and the stored
 * rows hold only the winner's event under the winner's name.
 */
export function registerOwnerRace(h: DriverHarness): void {
  it("two owners racing to create the same 100 conversations from two processes: exactly one wins each", async () => {
    const db = await h.create();
    const children: Child[] = [];
    try {
      const file = db.file as string;
      const ids = Array.from({ length: CONVERSATIONS }, (_, i) => `race-${String(i).padStart(3, "0")}`);
      const owners = ["alice", "bob"];
      children.push(
        ...owners.map((owner, k) =>
          Child.script("owner-race.ts", {
            ...targetOf(h, file),
            conversationIds: k === 0 ? ids : [...ids].reverse(),
            wave: 10,
            owner,
          }),
        ),
      );
      await startTogether(children);
      const exits = await Promise.all(children.map((c) => c.exit(120_000)));
      const reports = exits.map((exit, k) => {
        expect(exit.code, describeExit(exit)).toBe(0);
        const [report] = (children[k] as Child).jsonLines<RaceReport>().filter((r) => "won" in r);
        expect(report?.errors, describeExit(exit)).toEqual([]);
        return report as RaceReport;
      });
      const winner = new Map<string, string>();
      for (const report of reports) {
        for (const id of report.won) {
          expect(winner.has(id), `${id} won twice`).toBe(false);
          winner.set(id, report.owner);
        }
      }
      expect([...winner.keys()].sort()).toEqual(ids);
      for (const report of reports) {
        expect([...report.won, ...report.refused].sort()).toEqual(ids);
      }
      const rows = await db.raw.all(
        `SELECT c.conversation_id, c.owner_id, c.event_count, MIN(e.content) AS first, MAX(e.content) AS last
         FROM chat_conversations c JOIN chat_events e ON e.conversation_id = c.conversation_id
         GROUP BY c.conversation_id ORDER BY c.conversation_id`,
      );
      expect(rows).toEqual(
        ids.map((id) => ({
          conversation_id: id,
          owner_id: winner.get(id),
          event_count: 1,
          first: `from ${winner.get(id)}`,
          last: `from ${winner.get(id)}`,
        })),
      );
    } finally {
      for (const c of children) c.stop();
      await db.dispose();
    }
  }, 180_000);
}
