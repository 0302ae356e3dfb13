import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatlog, tempDir } from "./run-cli.ts";
import { dump, seed, turn } from "./seed.ts";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** Rows another program (or damage) left: an impossible time, BLOBs in text columns, an unknown type. */
function damage(file: string): void {
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, role, content, content_format,
       model, created_at, created_at_ms, extra)
     VALUES (?, 'a', ?, 1, ?, 'user', ?, 'text', ?, '2025-01-01T00:00:09.000Z', ?, '{}')`,
  );
  insert.run("bad-time", 10, "user_message", "when?", null, 1e20);
  insert.run(
    "blob-content",
    11,
    "user_message",
    Buffer.from("bytes"),
    Buffer.from([0x6d]),
    Date.UTC(2025, 0, 1, 0, 0, 10),
  );
  insert.run("odd-type", 12, "mystery", "?", null, Date.UTC(2025, 0, 1, 0, 0, 11));
  db.close();
}

describe("a database with damaged rows", () => {
  it("show, list and export report each damaged row and go on; the export imports into a new database", async () => {
    const db = join(dir, "damaged.db");
    await seed("better-sqlite3", db, [
      ...turn("a", "2025-01-01T00:00:00.000Z"),
      ...turn("b", "2025-01-02T00:00:00.000Z"),
    ]);
    damage(db);

    const show = await chatlog(["show", "a", "--db", db]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stderr).toContain("warning: event bad-time has undecodable created_at_ms");
    expect(show.stdout).toContain("bytes");
    expect(show.stdout).toContain("(undecodable: type)");
    expect((await chatlog(["list", "--db", db])).code).toBe(0);

    const file = join(dir, "export.jsonl");
    const exported = await chatlog(["export", "-o", file, "--db", db]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain("blob-content");

    const copy = join(dir, "copy.db");
    const imported = await chatlog(["import", file, "--db", copy]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain("imported 11 events");
    const original = (await dump("better-sqlite3", db)).map(({ corruptFields: _, ...event }) => event);
    expect(await dump("better-sqlite3", copy)).toEqual(original);
  });
});
