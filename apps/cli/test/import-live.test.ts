import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportedEvent } from "@chatlog/conformance";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventLine, headerLine } from "../src/jsonl-format.ts";
import { chatlog, tempDir } from "./run-cli.ts";
import { openFile, seed } from "./seed.ts";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const IMPORTED = 40_000;

function exportFile(path: string): void {
  const lines = [headerLine(new Date())];
  for (let i = 0; i < IMPORTED; i++) {
    const conversationId = `imp-${i % 40}`;
    const event = exportedEvent({
      id: `imported-${i}`,
      conversationId,
      seq: Math.floor(i / 40) + 1,
      type: i % 2 === 0 ? "user_message" : "assistant_message",
      role: i % 2 === 0 ? "user" : "assistant",
      content: `imported message ${i} `.repeat(8),
      createdAt: new Date(Date.UTC(2024, 0, 1) + i),
    });
    lines.push(eventLine(event));
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("a large import into a live database", () => {
  for (const driver of ["better-sqlite3", "libsql"] as const) {
    it(`lets every concurrent append through while it runs, and lands whole (${driver})`, async () => {
      const db = join(dir, "live.db");
      const source = join(dir, "export.jsonl");
      exportFile(source);
      await seed(driver, db, [{ conversationId: "live", type: "user_message", content: "first" }]);

      const env = driver === "libsql" ? { env: { CHATLOG_DRIVER: "libsql" } } : {};
      const url = driver === "libsql" ? `file:${db}` : db;
      const importing = chatlog(["import", source, "--db", url], env);
      let done = false;
      void importing.finally(() => {
        done = true;
      });

      // This process keeps appending, as a server would, for as long as the import runs.
      const repo = await openFile(driver, db);
      let appended = 0;
      const failures: string[] = [];
      try {
        while (!done) {
          try {
            await repo.addEvent({
              conversationId: "live",
              type: "user_message",
              content: `live ${appended}`,
            });
            appended++;
          } catch (error) {
            failures.push(String(error));
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await repo.close();
      }
      const run = await importing;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`imported ${IMPORTED} events`);
      expect(failures).toEqual([]);
      expect(appended).toBeGreaterThan(10);

      const check = await openFile(driver, db);
      try {
        const stats = await check.stats();
        expect(stats.events).toBe(IMPORTED + 1 + appended);
        const live = await check.getEvents("live");
        expect(live.map((e) => e.seq)).toEqual(Array.from({ length: appended + 1 }, (_, i) => i + 1));
      } finally {
        await check.close();
      }
    });
  }
});
