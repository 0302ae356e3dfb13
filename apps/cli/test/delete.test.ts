import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatlog, tempDir } from "./run-cli.ts";
import { dump, openFile, seed, turn } from "./seed.ts";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe("delete", () => {
  for (const driver of ["better-sqlite3", "libsql"] as const) {
    it(`erases one conversation with its saved sessions and leaves the rest (${driver})`, async () => {
      const db = join(dir, "chat.db");
      await seed(driver, db, [
        ...turn("a", "2025-01-01T00:00:00.000Z"),
        ...turn("b", "2025-01-02T00:00:00.000Z"),
      ]);
      const repo = await openFile(driver, db);
      await repo.saveSession("a");
      await repo.close();
      const env = driver === "libsql" ? { CHATLOG_DRIVER: "libsql" } : undefined;
      const url = driver === "libsql" ? `file:${db}` : db;

      const run = await chatlog(["delete", "a", "--db", url], env ? { env } : {});
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe("deleted conversation a: 4 events, 1 saved sessions\n");
      const left = await dump(driver, db);
      expect(new Set(left.map((e) => e.conversationId))).toEqual(new Set(["b"]));
      expect(left).toHaveLength(4);
      const saved = await chatlog(["saved", "list", "--json", "--db", url], env ? { env } : {});
      expect(saved.stdout).toBe("");

      const again = await chatlog(["delete", "a", "--json", "--db", url], env ? { env } : {});
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({
        conversationId: "a",
        deletedEvents: 0,
        deletedSavedSessions: 0,
      });
    });
  }

  it("needs exactly one conversation id and an existing database", async () => {
    const db = join(dir, "chat.db");
    expect((await chatlog(["delete", "--db", db])).code).toBe(2);
    const missing = await chatlog(["delete", "x", "--db", db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("[NOT_FOUND]");
  });
});
