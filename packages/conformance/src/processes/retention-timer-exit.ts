import { expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { Child, describeExit, targetOf } from "./child-process.ts";

/** A hang detector, not a speed assertion: a child that needs this long is stuck. */
const HANG_MS = 15_000;
/** Appends before the checked work: enough to start better-sqlite3's checkpoint worker. */
const BULK = 200;

interface ExitReport {
  done: boolean;
  events: number;
  closed: boolean;
}

/**
 * SPEC section 6: the background retention timer stops on close(), and an open repository never
 * keeps a process alive on its own. The child never calls process.exit, so it only ends if
 * nothing (timer, connection, queue) holds Node's event loop.
 */
export function registerRetentionTimerExit(h: DriverHarness): void {
  for (const close of [true, false]) {
    const how = close ? "after close()" : "without close() (the timer is unref'd)";
    it(`a process with a retention interval exits by itself ${how}`, async () => {
      const db = await h.create();
      try {
        const file = db.file as string;
        const conversationId = `conv-exit-${close}`;
        const child = Child.script("retention-exit.ts", {
          ...targetOf(h, file),
          conversationId,
          close,
          bulk: BULK,
        });
        const exit = await child.exit(HANG_MS);
        expect(exit.timedOut, `the child did not exit within ${HANG_MS} ms: ${describeExit(exit)}`).toBe(
          false,
        );
        expect(exit.code, describeExit(exit)).toBe(0);
        expect(exit.signal).toBeNull();
        expect(child.jsonLines<ExitReport>()).toEqual([
          { done: true, events: 2, deletedByAge: 0, closed: close },
        ]);

        // Its writes were committed whether or not it closed the repository.
        const rows = await db.raw.all(
          "SELECT type, content FROM chat_events WHERE conversation_id = ? ORDER BY seq",
          conversationId,
        );
        expect(rows).toEqual([
          { type: "user_message", content: "hi" },
          { type: "assistant_message", content: "hello" },
        ]);
        const [bulk] = await db.raw.all(
          "SELECT COUNT(*) AS n FROM chat_events WHERE conversation_id = ?",
          `${conversationId}-bulk`,
        );
        expect(Number(bulk?.n)).toBe(BULK);
      } finally {
        await db.dispose();
      }
    });
  }
}
