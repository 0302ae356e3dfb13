import { expect, it } from "vitest";
import { type DriverHarness, isPostgres } from "../harness.ts";
import { Child, describeExit, startTogether, targetOf } from "./child-process.ts";

/** Acknowledged appends to see before pulling the plug. */
const KILL_AFTER = 300;
const IN_FLIGHT = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Durability of acknowledged writes: a process appending with many writes in flight is killed
 * with SIGKILL (no cleanup, no close). Every append whose promise had resolved must be in the
 * database, which must open and read normally with unique, gapless seqs.
 */
export function registerCrashSafety(h: DriverHarness): void {
  it("SIGKILL mid-stream loses no acknowledged append and leaves a readable database", async () => {
    const db = await h.create();
    let child: Child | undefined;
    try {
      const file = db.file as string;
      const conversationId = "conv-crash";
      child = Child.script("append-until-killed.ts", {
        ...targetOf(h, file),
        conversationId,
        inFlight: IN_FLIGHT,
      });
      const running = child;
      await startTogether([running]);
      await running.waitForLine(() => running.lines.filter((l) => UUID.test(l)).length >= KILL_AFTER, 60_000);
      child.kill("SIGKILL");
      const exit = await child.exit(30_000);
      expect(exit.signal, describeExit(exit)).toBe("SIGKILL");

      // Every complete line the child wrote before dying (read to the end of the pipe).
      const acknowledged = child.lines.filter((l) => UUID.test(l));
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(new Set(acknowledged).size).toBe(acknowledged.length);

      if (!isPostgres(h)) {
        // A killed client cannot damage a Postgres server's files; a SQLite file it wrote must check out.
        const integrity = await db.raw.all("PRAGMA integrity_check");
        expect(integrity).toEqual([{ integrity_check: "ok" }]);
      }
      const rows = await db.raw.all(
        "SELECT id, seq FROM chat_events WHERE conversation_id = ? ORDER BY seq",
        conversationId,
      );
      const stored = new Set(rows.map((r) => String(r.id)));
      const missing = acknowledged.filter((id) => !stored.has(id));
      expect(missing, "acknowledged appends missing after the crash").toEqual([]);
      // Appends still in flight at the kill may or may not have committed; what did is gapless.
      expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));

      // The repository reopens on the crashed file, reads everything, and continues the sequence.
      await db.repo.close();
      const again = await h.reopen(file);
      try {
        const events = await again.repo.getEvents(conversationId);
        expect(events.map((e) => e.id)).toEqual(rows.map((r) => String(r.id)));
        const { conversations } = await again.repo.listConversations();
        expect(conversations).toEqual([expect.objectContaining({ conversationId, eventCount: rows.length })]);
        const next = await again.repo.addEvent({
          conversationId,
          type: "user_message",
          role: "user",
          content: "back",
        });
        expect(next.event.seq).toBe(rows.length + 1);
      } finally {
        await again.dispose();
      }
    } finally {
      child?.stop();
      await db.dispose();
    }
  });
}
