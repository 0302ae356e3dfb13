import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatlog, tempDir } from "./run-cli.ts";
import { seed, turn } from "./seed.ts";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** "a" is Alice's, "b" Bob's, "x" nobody's. */
async function ownedConversations(): Promise<string> {
  const db = join(dir, "chat.db");
  await seed("better-sqlite3", db, turn("a", "2025-01-01T00:00:00.000Z"), "alice");
  await seed("better-sqlite3", db, turn("b", "2025-01-02T00:00:00.000Z"), "bob");
  await seed("better-sqlite3", db, turn("x", "2025-01-03T00:00:00.000Z"));
  return db;
}

const ids = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));

describe("--owner", () => {
  it("list shows every owner to the administrator and only the user's own with --owner", async () => {
    const db = await ownedConversations();
    const all = await chatlog(["list", "--json", "--db", db]);
    expect(all.code, all.stderr).toBe(0);
    expect(ids(all.stdout).map((c) => [c.conversationId, c.ownerId])).toEqual([
      ["x", null],
      ["b", "bob"],
      ["a", "alice"],
    ]);
    const table = await chatlog(["list", "--db", db]);
    expect(table.stdout.split("\n")[2]).toContain("  b  bob  ");
    const alice = await chatlog(["list", "--owner", "alice", "--json", "--db", db]);
    expect(ids(alice.stdout).map((c) => c.conversationId)).toEqual(["a"]);
    const paged = await chatlog(["list", "--owner", "bob", "--limit", "1", "--db", db]);
    expect(paged.stdout).toContain("  b  bob  ");
    expect(paged.stderr).toBe("");
  });

  it("show and export act as the user: another's (or nobody's) conversation does not exist", async () => {
    const db = await ownedConversations();
    const own = await chatlog(["show", "a", "--owner", "alice", "--db", db]);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain("Conversation a");
    for (const id of ["b", "x"]) {
      const other = await chatlog(["show", id, "--owner", "alice", "--db", db]);
      expect(other.code).toBe(1);
      expect(other.stderr).toContain("error [NOT_FOUND]");
      expect(other.stdout).toBe("");
      const exported = await chatlog(["export", id, "--owner", "alice", "--db", db]);
      expect(exported.code).toBe(1);
      expect(exported.stdout).toBe("");
    }
    const everything = await chatlog(["export", "--owner", "alice", "--db", db]);
    expect(everything.code, everything.stderr).toBe(0);
    const [, ...events] = ids(everything.stdout);
    expect(new Set(events.map((e) => e.conversationId))).toEqual(new Set(["a"]));
  });

  it("delete --owner erases the user's own and refuses another's, which stays", async () => {
    const db = await ownedConversations();
    const refused = await chatlog(["delete", "b", "--owner", "alice", "--db", db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error [NOT_OWNER]");
    const raw = new Database(db, { readonly: true });
    const count = (id: string) =>
      (
        raw.prepare("SELECT COUNT(*) AS n FROM chat_events WHERE conversation_id = ?").get(id) as {
          n: number;
        }
      ).n;
    expect(count("b")).toBe(4);
    const deleted = await chatlog(["delete", "a", "--owner", "alice", "--json", "--db", db]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ conversationId: "a", deletedEvents: 4 });
    expect(count("a")).toBe(0);
    raw.close();
    const bad = await chatlog(["list", "--owner", "", "--db", db]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error [INVALID_ARGUMENT]");
  });

  it("export carries each conversation's owner and import restores it; another owner is CONFLICT", async () => {
    const db = await ownedConversations();
    const file = join(dir, "all.jsonl");
    const exported = await chatlog(["export", "-o", file, "--db", db]);
    expect(exported.code, exported.stderr).toBe(0);
    const [header, ...events] = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(header.version).toBe(2);
    const ownerOf = Object.fromEntries(events.map((e) => [e.conversationId, e.ownerId]));
    expect(ownerOf).toEqual({ a: "alice", b: "bob", x: null });
    const one = await chatlog(["export", "b", "--db", db]);
    expect(
      ids(one.stdout)
        .slice(1)
        .every((e) => e.ownerId === "bob"),
    ).toBe(true);

    const copy = join(dir, "copy.db");
    const imported = await chatlog(["import", file, "--db", copy]);
    expect(imported.code, imported.stderr).toBe(0);
    const listed = await chatlog(["list", "--json", "--db", copy]);
    expect(ids(listed.stdout).map((c) => [c.conversationId, c.ownerId])).toEqual([
      ["x", null],
      ["b", "bob"],
      ["a", "alice"],
    ]);

    // Conversation "a" is Bob's in this database: the file's Alice cannot take it, nothing lands.
    const other = join(dir, "other.db");
    await seed("better-sqlite3", other, turn("a", "2025-02-01T00:00:00.000Z"), "bob");
    const refused = await chatlog(["import", file, "--db", other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error [CONFLICT]");
    const after = await chatlog(["list", "--json", "--db", other]);
    expect(ids(after.stdout).map((c) => [c.conversationId, c.ownerId])).toEqual([["a", "bob"]]);

    // One conversation with two owners in one file is a damaged file; a version 1 file has none.
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const twoOwners = lines.map((l, i) =>
      i === lines.length - 1 ? l.replace('"ownerId":"alice"', '"ownerId":"mallory"') : l,
    );
    writeFileSync(join(dir, "two.jsonl"), `${twoOwners.join("\n")}\n`);
    const damaged = await chatlog(["import", join(dir, "two.jsonl"), "--db", join(dir, "two.db")]);
    expect(damaged.stderr).toContain("has two owners in this file");
    const v1 = [
      lines[0]!.replace('"version":2', '"version":1'),
      ...lines.slice(1).map((l) => l.replace(/,"ownerId":(null|"[a-z]+")/, "")),
    ];
    writeFileSync(join(dir, "v1.jsonl"), `${v1.join("\n")}\n`);
    const old = await chatlog(["import", join(dir, "v1.jsonl"), "--db", join(dir, "v1.db")]);
    expect(old.code, old.stderr).toBe(0);
    const unowned = await chatlog(["list", "--json", "--db", join(dir, "v1.db")]);
    expect(ids(unowned.stdout).map((c) => c.ownerId)).toEqual([null, null, null]);
  });
});
