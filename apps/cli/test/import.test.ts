import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatlog, tempDir } from "./run-cli.ts";
import { type DriverName, dump, seed, TRICKY_EVENTS, turn } from "./seed.ts";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** Database argument and environment for a file opened through `driver`. */
function target(driver: DriverName, path: string): { args: string[]; env: Record<string, string> } {
  return driver === "libsql"
    ? { args: ["--db", `file:${path}`], env: { CHATLOG_DRIVER: "libsql" } }
    : { args: ["--db", path], env: {} };
}

async function exportFile(driver: DriverName, db: string, file: string): Promise<string[]> {
  const t = target(driver, db);
  const run = await chatlog(["export", "-o", file, ...t.args], { env: t.env });
  expect(run.code, run.stderr).toBe(0);
  return readFileSync(file, "utf8").trim().split("\n");
}

async function eventCount(db: string): Promise<number> {
  const run = await chatlog(["stats", "--json", "--db", db]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).events;
}

describe("export / import round trip", () => {
  it.each([
    ["better-sqlite3", "libsql"],
    ["libsql", "better-sqlite3"],
  ] as const)(
    "%s -> %s keeps every field exactly (content shapes, falsy raw, usage, ms times)",
    async (from, to) => {
      const source = join(dir, "source.db");
      const copy = join(dir, "copy.db");
      await seed(from, source, TRICKY_EVENTS);
      const file = join(dir, "out.jsonl");
      const lines = await exportFile(from, source, file);
      expect(lines).toHaveLength(TRICKY_EVENTS.length + 1);
      expect(JSON.parse(lines[0]!)).toEqual({
        format: "chatlog-export",
        version: 2,
        exportedAt: expect.any(String),
      });
      const event = JSON.parse(
        lines.find((line) => line.includes('"call_a"') && line.includes("tool_call"))!,
      );
      expect(Object.keys(event)).toEqual([
        "id",
        "conversationId",
        "seq",
        "schemaVersion",
        "type",
        "role",
        "content",
        "toolCalls",
        "usage",
        "provider",
        "model",
        "stopReason",
        "tokenCount",
        "createdAt",
        "extra",
        "raw",
        "ownerId",
      ]);
      expect(event).toMatchObject({
        usage: { inputTokens: 5, outputTokens: 7 },
        tokenCount: 12,
        createdAt: "2025-03-01T10:00:01.001Z",
      });

      const t = target(to, copy);
      const run = await chatlog(["import", file, ...t.args], { env: t.env });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`imported ${TRICKY_EVENTS.length} events`);

      const original = await dump(from, source);
      const restored = await dump(to, copy);
      expect(restored).toEqual(original);
      // Spot checks of what a lossy path would break.
      const byContent = (c: unknown) => restored.find((e) => JSON.stringify(e.content) === JSON.stringify(c));
      expect(byContent("[1, 2, 3]")?.content).toBe("[1, 2, 3]");
      expect(restored.map((e) => e.raw)).toEqual(expect.arrayContaining([0, {}, [], false, "", null]));
      expect(
        restored.find((e) => e.type === "assistant_message" && Array.isArray(e.content))?.content,
      ).toHaveLength(3);

      const again = await exportFile(to, copy, join(dir, "again.jsonl"));
      expect(again.slice(1)).toEqual(lines.slice(1));
    },
  );

  it("imports from stdin with -", async () => {
    const source = join(dir, "source.db");
    await seed("better-sqlite3", source, turn("c1", "2025-02-02T10:00:00.000Z"));
    const exported = await chatlog(["export", "--db", source]);
    const copy = join(dir, "copy.db");
    const run = await chatlog(["import", "-", "--db", copy], { stdin: exported.stdout });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("imported 4 events from stdin");
    expect(await dump("better-sqlite3", copy)).toEqual(await dump("better-sqlite3", source));
  });

  it("exports only the named conversations, and refuses an unknown one without writing a file", async () => {
    const db = join(dir, "db.sqlite");
    await seed("better-sqlite3", db, [
      ...turn("a", "2025-01-01T00:00:00Z"),
      ...turn("b", "2025-01-02T00:00:00Z"),
    ]);
    const file = join(dir, "b.jsonl");
    const lines = await (async () => {
      const run = await chatlog(["export", "b", "-o", file, "--db", db]);
      expect(run.code, run.stderr).toBe(0);
      return readFileSync(file, "utf8").trim().split("\n").slice(1);
    })();
    expect(lines.map((l) => JSON.parse(l).conversationId)).toEqual(["b", "b", "b", "b"]);
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4]);

    const missing = join(dir, "missing.jsonl");
    const run = await chatlog(["export", "a", "nope", "-o", missing, "--db", db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error [NOT_FOUND]: conversation nope has no events");
    expect(() => readFileSync(missing)).toThrow();
  });
});

describe("import refuses a bad file with its line number, importing nothing", () => {
  async function seededWithFile(): Promise<{ db: string; lines: string[] }> {
    const source = join(dir, "source.db");
    await seed("better-sqlite3", source, [
      ...turn("a", "2025-01-01T00:00:00Z"),
      ...turn("b", "2025-01-02T00:00:00Z"),
    ]);
    const lines = await exportFile("better-sqlite3", source, join(dir, "good.jsonl"));
    // The target already holds another conversation, which must come through untouched.
    const db = join(dir, "target.db");
    await seed("better-sqlite3", db, turn("kept", "2024-06-01T00:00:00Z"));
    return { db, lines };
  }

  const cases: [string, (lines: string[]) => string[], number, RegExp][] = [
    ["invalid JSON", (l) => l.with(6, `${l[6]!.slice(0, 40)}`), 7, /INVALID_EVENT\]: line 7: not valid JSON/],
    ["a missing header", (l) => l.slice(1), 1, /line 1: not a chatlog export/],
    [
      "an unknown version",
      (l) => [l[0]!.replace('"version":2', '"version":3'), ...l.slice(1)],
      1,
      /line 1: unsupported export version 3/,
    ],
    [
      "an unknown event type",
      (l) => l.with(5, l[5]!.replace(/"type":"[a-z_]+"/, '"type":"bogus"')),
      6,
      /UNKNOWN_EVENT_TYPE\]: line 6: event.type must be one of/,
    ],
    [
      "an unknown field",
      (l) => l.with(8, l[8]!.replace(/}$/, ',"colour":"red"}')),
      9,
      /INVALID_EVENT\]: line 9: event.colour is not a known field/,
    ],
    [
      "a bad createdAt",
      (l) => l.with(3, l[3]!.replace(/"createdAt":"[^"]+"/, '"createdAt":"yesterday"')),
      4,
      /line 4: createdAt must be an ISO 8601 time/,
    ],
    [
      "a line that is not an object",
      (l) => l.with(2, "[1,2]"),
      3,
      /line 3: an event line must be a JSON object/,
    ],
    [
      "a seq taken by another event",
      (l) => l.with(4, l[4]!.replace(/"id":"[^"]+"/, '"id":"someone-else"').replace(/"seq":\d+/, '"seq":1')),
      5,
      /CONFLICT\]: line 5: /,
    ],
  ];

  it.each(cases)("%s", async (_name, corrupt, line, message) => {
    const { db, lines } = await seededWithFile();
    const file = join(dir, "bad.jsonl");
    const bad = corrupt(lines);
    writeFileSync(file, `${bad.join("\n")}\n`);
    const run = await chatlog(["import", file, "--db", db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(`line ${line}:`);
    expect(run.stderr).toContain(`nothing from ${file} was imported`);
    expect(run.stdout).toBe("");
    const stored = await dump("better-sqlite3", db);
    expect(stored.map((e) => e.conversationId)).toEqual(["kept", "kept", "kept", "kept"]);
  });

  it("counts blank lines when naming the line", async () => {
    const { db, lines } = await seededWithFile();
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, [lines[0], "", lines[1], "", lines[2]!.replace('"role"', '"rôle"'), ""].join("\r\n"));
    const run = await chatlog(["import", file, "--db", db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("line 5: event.rôle is not a known field");
    expect(await eventCount(db)).toBe(4);
  });

  it("an empty file and a missing file are refused", async () => {
    const db = join(dir, "target.db");
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    const run = await chatlog(["import", empty, "--db", db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("line 1: the file is empty");
    const missing = await chatlog(["import", join(dir, "nope.jsonl"), "--db", db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error [NOT_FOUND]: cannot read");
  });

  it("re-importing a file adds nothing; a file overlapping the database imports only what is new", async () => {
    const { db, lines } = await seededWithFile();
    const file = join(dir, "good.jsonl");
    const first = await chatlog(["import", file, "--db", db]);
    expect(first.stdout).toContain("imported 8 events");
    expect(first.stdout).toContain("(0 already present, skipped)");
    const second = await chatlog(["import", file, "--db", db]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("imported 0 events");
    expect(second.stdout).toContain("(8 already present, skipped)");
    expect(await eventCount(db)).toBe(12);

    // The header, the first conversation's events, and one new event for it.
    const extra = JSON.parse(lines[1]!);
    const newer = {
      ...extra,
      id: "new-event",
      seq: 99,
      content: "later",
      createdAt: "2025-05-05T05:05:05.555Z",
    };
    const overlap = join(dir, "overlap.jsonl");
    writeFileSync(overlap, `${[...lines.slice(0, 5), JSON.stringify(newer)].join("\n")}\n`);
    const third = await chatlog(["import", overlap, "--db", db]);
    expect(third.stdout).toContain("imported 1 events");
    expect(third.stdout).toContain("(4 already present, skipped)");
    expect(await eventCount(db)).toBe(13);
  });
});
