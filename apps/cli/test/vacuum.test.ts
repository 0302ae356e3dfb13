import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CliRun, chatlog, tempDir } from "./run-cli.ts";
import { openFile } from "./seed.ts";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const BIG = "x".repeat(4_000);

describe("vacuum", () => {
  for (const driver of ["better-sqlite3", "libsql"] as const) {
    it(`shrinks the file after a delete while another process keeps writing (${driver})`, async () => {
      const db = join(dir, "chat.db");
      const url = driver === "libsql" ? `file:${db}` : db;
      const options = driver === "libsql" ? { env: { CHATLOG_DRIVER: "libsql" } } : {};
      const repo = await openFile(driver, db);
      let appended = 0;
      const failures: string[] = [];
      /** Runs `command` while this process appends, as a live server would. */
      async function beside(args: string[]): Promise<CliRun> {
        let done = false;
        const run = chatlog(args, options).finally(() => {
          done = true;
        });
        while (!done) {
          try {
            await repo.addEvent({ conversationId: "live", type: "user_message", content: `w${appended}` });
            appended++;
          } catch (error) {
            failures.push(String(error));
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        return run;
      }
      try {
        for (const round of [1, 2]) {
          for (let i = 0; i < 1_000; i++) {
            await repo.addEvent({ conversationId: `gone${round}`, type: "user_message", content: BIG });
          }
          await repo.deleteConversation(`gone${round}`);
          const sizeBefore = statSync(db).size;
          const run = await beside(["vacuum", "--json", "--db", url]);
          expect(run.code, run.stderr).toBe(0);
          const result = JSON.parse(run.stdout);
          expect(result.full).toBe(round === 1);
          expect(result.bytesAfter).toBeLessThan(result.bytesBefore / 4);
          expect(statSync(db).size).toBeLessThan(sizeBefore / 4);
        }
        expect(failures).toEqual([]);
        expect((await repo.getEvents("live")).length).toBe(appended);
      } finally {
        await repo.close();
      }
    });
  }

  it("prints what it gave back", async () => {
    const db = join(dir, "chat.db");
    const repo = await openFile("better-sqlite3", db);
    await repo.addEvent({ conversationId: "c", type: "user_message", content: "q" });
    await repo.close();
    const run = await chatlog(["vacuum", "--db", db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^full VACUUM \(the database now vacuums incrementally\): [\d.]+ MiB -> [\d.]+ MiB/,
    );
  });
});
