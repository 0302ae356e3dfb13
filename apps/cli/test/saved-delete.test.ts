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

describe("saved delete", () => {
  it("removes one saved session, keeps the conversation's events, and can be repeated", async () => {
    const db = join(dir, "chat.db");
    await seed("better-sqlite3", db, [...turn("a", "2025-01-01T00:00:00.000Z")]);
    const repo = await openFile("better-sqlite3", db);
    const gone = await repo.saveSession("a", "gone");
    const kept = await repo.saveSession("a", "kept");
    await repo.close();

    const run = await chatlog(["saved", "delete", gone, "--db", db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`deleted saved session ${gone}\n`);
    const list = await chatlog(["saved", "list", "--json", "--db", db]);
    expect(
      list.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).id),
    ).toEqual([kept]);
    expect(await dump("better-sqlite3", db)).toHaveLength(4);

    const again = await chatlog(["saved", "delete", gone, "--json", "--db", db]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ savedId: gone, deleted: false });
    const load = await chatlog(["saved", "load", gone, "--db", db]);
    expect(load.code).toBe(1);
    expect(load.stderr).toContain("[NOT_FOUND]");
  });

  it("needs exactly one saved id; a hostile one is refused without touching the database", async () => {
    const db = join(dir, "chat.db");
    await seed("better-sqlite3", db, [...turn("a", "2025-01-01T00:00:00.000Z")]);
    expect((await chatlog(["saved", "delete", "--db", db])).code).toBe(2);
    const hostile = await chatlog(["saved", "delete", "x\u001b[2Jy", "--db", db]);
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toContain("[INVALID_ARGUMENT]");
    expect(hostile.stderr).not.toContain("\u001b");
  });
});
