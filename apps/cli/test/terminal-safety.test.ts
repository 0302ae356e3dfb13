import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatlog, tempDir } from "./run-cli.ts";
import { openFile, seed } from "./seed.ts";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

// What a hostile client could store: a screen clear, a window-title OSC, a CSI as the one-byte C1
// control, a carriage return that overwrites the line, a bidi override, a bell.
const HOSTILE = "hi\x1b[2J\x1b]0;pwned\x07 \u009b31m\rfake\u202eevil";
// chatlog refuses such ids, but a database written by another program may hold one.
const HOSTILE_ID = "conv\x1b[31m\nred";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describe("human output never passes stored control characters to the terminal", () => {
  it("show, list, saved list and saved load escape them; --json stays exact", async () => {
    const db = join(dir, "chat.db");
    await seed("better-sqlite3", db, [
      {
        conversationId: "c",
        type: "user_message",
        role: "user",
        content: `line one\n${HOSTILE}`,
        model: "m\x1b[1m",
        createdAt: new Date("2025-01-01T00:00:00.000Z"),
      },
      {
        conversationId: "c",
        type: "tool_call",
        role: "assistant",
        toolCalls: [{ id: "c\x1b1", name: "n\x1b[0m", arguments: { q: "\u009b" } }],
        createdAt: new Date("2025-01-01T00:00:01.000Z"),
      },
    ]);
    const repo = await openFile("better-sqlite3", db);
    const savedId = await repo.saveSession("c", "name\x1b[5m");
    await repo.close();
    // A row under a hostile conversation id, written as another program would.
    const direct = new Database(db);
    direct
      .prepare(
        `INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, role, content, created_at, extra)
         VALUES ('legacy-1', ?, 1, 1, 'user_message', 'user', ?, '2025-01-02 00:00:00', '{}')`,
      )
      .run(HOSTILE_ID, HOSTILE);
    direct.close();

    const show = await chatlog(["show", "c", "--db", db]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toMatch(RAW_CONTROL);
    expect(show.stdout).toContain("hi\\x1b[2J\\x1b]0;pwned\\x07 \\x9b31m\\x0dfake\\u202eevil");
    expect(show.stdout).toContain("n\\x1b[0m");
    // Line structure of the message itself is kept.
    expect(show.stdout).toContain("    line one\n    hi");

    for (const args of [["list"], ["saved", "list"], ["saved", "load", savedId]]) {
      const run = await chatlog([...args, "--db", db]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout, args.join(" ")).not.toMatch(RAW_CONTROL);
    }
    const list = await chatlog(["list", "--db", db]);
    expect(list.stdout).toContain("conv\\x1b[31m\\x0ared");
    const saved = await chatlog(["saved", "list", "--db", db]);
    expect(saved.stdout).toContain("name\\x1b[5m");

    const json = await chatlog(["list", "--json", "--db", db]);
    const ids = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).conversationId);
    expect(ids).toContain(HOSTILE_ID);
    const events = await chatlog(["saved", "load", savedId, "--json", "--db", db]);
    const first = JSON.parse(events.stdout.split("\n")[0]!);
    expect(first.content).toBe(`line one\n${HOSTILE}`);
  });

  it("a hostile id on the command line is refused, and nothing raw reaches stderr", async () => {
    const db = join(dir, "chat.db");
    await seed("better-sqlite3", db, [{ conversationId: "x", type: "user_message", content: "q" }]);
    for (const args of [
      ["show", "nope\x1b[2J"],
      ["delete", "nope\x1b[2J"],
      ["saved", "load", "\x1b]0;t\x07"],
    ]) {
      const run = await chatlog([...args, "--db", db]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("[INVALID_ARGUMENT]");
      expect(run.stderr).not.toMatch(RAW_CONTROL);
    }
  });
});
