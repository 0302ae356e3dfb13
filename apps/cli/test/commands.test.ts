import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { exportedEvent } from "@chatlog/conformance";
import type { ChatEvent } from "@chatlog/core";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANSI, BIN, CLI_DIR, chatlog, cleanEnv, stripAnsi, tempDir } from "./run-cli.ts";
import { dump, openFile, seed, turn } from "./seed.ts";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** Three conversations, a (oldest) .. c (newest), four events each. */
async function threeConversations(): Promise<string> {
  const db = join(dir, "chat.db");
  await seed("better-sqlite3", db, [
    ...turn("a", "2025-01-01T00:00:00.000Z"),
    ...turn("b", "2025-01-02T00:00:00.000Z"),
    ...turn("c", "2025-01-03T00:00:00.000Z"),
  ]);
  return db;
}

/** Runs the command under `script`, so its stdout and stderr are a real terminal. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = [process.execPath, BIN, ...args].join(" ");
  const { stdout } = await promisify(execFile)("script", ["-qec", command, "/dev/null"], {
    cwd: CLI_DIR,
    env: cleanEnv(env),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

describe("migrate", () => {
  it("says truthfully what it did: created, migrated (pending migrations applied), up to date", async () => {
    const db = join(dir, "nested", "new.db");
    const run = await chatlog(["migrate", "--db", db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`created database ${db} (0 events in 0 conversations)\n`);
    expect(existsSync(db)).toBe(true);
    const again = await chatlog(["migrate", "--db", db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`database ${db} is up to date (0 events in 0 conversations)\n`);
    // A database one migration behind: the last one is forgotten, then applied again.
    const raw = new Database(db);
    // What the newest migration (0010, owners) creates.
    raw.exec("DROP INDEX idx_conversations_owner; ALTER TABLE chat_conversations DROP COLUMN owner_id");
    raw.exec(
      "DELETE FROM __drizzle_migrations WHERE created_at = (SELECT MAX(created_at) FROM __drizzle_migrations)",
    );
    raw.close();
    const behind = await chatlog(["migrate", "--db", db]);
    expect(behind.stdout).toBe(
      `migrated database ${db}: applied 1 pending migration (0 events in 0 conversations)\n`,
    );
  });

  it("a failed import into a new database leaves no database file behind", async () => {
    const db = join(dir, "fresh.db");
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, "not a header\n");
    const run = await chatlog(["import", bad, "--db", db]);
    expect(run.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(["bad.jsonl"]);
  });

  it("reading commands refuse a database that does not exist instead of creating one", async () => {
    const db = join(dir, "typo.db");
    for (const args of [
      ["list"],
      ["show", "x"],
      ["stats"],
      ["export"],
      ["saved", "list"],
      ["prune", "--max-sessions", "1"],
    ]) {
      const run = await chatlog([...args, "--db", db]);
      expect(run.code, args.join(" ")).toBe(1);
      expect(run.stderr).toContain(`error [NOT_FOUND]: no database at ${db}`);
    }
    expect(existsSync(db)).toBe(false);
  });
});

describe("list", () => {
  it("lists every conversation, newest activity first, with its summary", async () => {
    const db = await threeConversations();
    const run = await chatlog(["list", "--db", db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n")).toEqual([
      "LAST ACTIVITY (UTC)      CREATED (UTC)              EVENTS  CONVERSATION  OWNER  TITLE",
      "2025-01-03 00:00:03.000  2025-01-03 00:00:00.000         4  c  -  What's the weather in Paris?",
      "2025-01-02 00:00:03.000  2025-01-02 00:00:00.000         4  b  -  What's the weather in Paris?",
      "2025-01-01 00:00:03.000  2025-01-01 00:00:00.000         4  a  -  What's the weather in Paris?",
      "",
    ]);
  });

  it("pages with --limit and --cursor, printing the next cursor on stderr", async () => {
    const db = await threeConversations();
    const first = await chatlog(["list", "--limit", "2", "--json", "--db", db]);
    expect(first.code, first.stderr).toBe(0);
    const page1 = first.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(page1).toEqual([
      {
        conversationId: "c",
        createdAt: "2025-01-03T00:00:00.000Z",
        lastActivityAt: "2025-01-03T00:00:03.000Z",
        eventCount: 4,
        title: "What's the weather in Paris?",
        ownerId: null,
      },
      {
        conversationId: "b",
        createdAt: "2025-01-02T00:00:00.000Z",
        lastActivityAt: "2025-01-02T00:00:03.000Z",
        eventCount: 4,
        title: "What's the weather in Paris?",
        ownerId: null,
      },
    ]);
    const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
    expect(cursor).toBeDefined();
    const second = await chatlog(["list", "--limit", "2", "--cursor", cursor!, "--json", "--db", db]);
    expect(
      second.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).conversationId),
    ).toEqual(["a"]);
    expect(second.stderr).toBe("");

    const bad = await chatlog(["list", "--cursor", "not-a-cursor", "--db", db]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error [INVALID_ARGUMENT]: cursor is not a cursor");
  });
});

describe("show", () => {
  it("prints roles, UTC times, tool calls with their results, and joined text parts", async () => {
    const db = await threeConversations();
    const run = await chatlog(["show", "b", "--db", db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      [
        "Conversation b",
        "#1  2025-01-02 00:00:00.000 UTC  user",
        "    What's the weather in Paris?",
        "",
        "#2  2025-01-02 00:00:01.000 UTC  assistant · tool call",
        '    → get_weather({"city":"Paris"}) id=call-b',
        "",
        "#3  2025-01-02 00:00:02.000 UTC  tool result ← get_weather id=call-b",
        '    {"temp_c":18}',
        "",
        "#4  2025-01-02 00:00:03.000 UTC  assistant  (offline-model)",
        "    It is 18°C",
        "    in Paris.",
        "",
        "",
      ].join("\n"),
    );
  });

  it("prints times in UTC whatever the machine's time zone", async () => {
    const db = await threeConversations();
    const run = await chatlog(["show", "a", "--db", db], { env: { TZ: "Pacific/Kiritimati" } });
    expect(run.stdout).toContain("#1  2025-01-01 00:00:00.000 UTC  user");
  });

  it("an unknown conversation is NOT_FOUND, exit 1", async () => {
    const db = await threeConversations();
    const run = await chatlog(["show", "zzz", "--db", db]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("chatlog: error [NOT_FOUND]: conversation zzz has no events\n");
  });

  it("is plain when piped, plain with NO_COLOR, coloured when FORCE_COLOR is set", async () => {
    const db = await threeConversations();
    const piped = await chatlog(["show", "a", "--db", db]);
    expect(piped.stdout).not.toMatch(ANSI);
    const noColor = await chatlog(["show", "a", "--db", db], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(noColor.stdout).not.toMatch(ANSI);
    expect(noColor.stdout).toBe(piped.stdout);
    const forced = await chatlog(["show", "a", "--db", db], { env: { FORCE_COLOR: "1" } });
    expect(forced.stdout).toMatch(ANSI);
    expect(stripAnsi(forced.stdout)).toBe(piped.stdout);
  });

  it("is coloured on a real terminal, and plain there with NO_COLOR", async () => {
    const db = await threeConversations();
    const tty = await onTerminal(["show", "a", "--db", db]);
    expect(tty).toContain("What's the weather in Paris?");
    expect(tty).toMatch(ANSI);
    const ttyNoColor = await onTerminal(["show", "a", "--db", db], { NO_COLOR: "1" });
    expect(ttyNoColor).toContain("What's the weather in Paris?");
    expect(ttyNoColor).not.toMatch(ANSI);
  });
});

describe("progress", () => {
  it("shows counts on a terminal during a long export and import, and nothing when not a terminal", async () => {
    const db = join(dir, "big.db");
    const repo = await openFile("better-sqlite3", db);
    const base = Date.parse("2025-01-01T00:00:00Z");
    async function* many(): AsyncGenerator<ChatEvent> {
      for (let i = 0; i < 10_500; i++) {
        yield exportedEvent({
          id: `e${i}`,
          conversationId: `c${i % 7}`,
          seq: Math.floor(i / 7) + 1,
          content: `message ${i}`,
          createdAt: new Date(base + i),
        });
      }
    }
    await repo.importEvents(many());
    await repo.close();

    const file = join(dir, "big.jsonl");
    const tty = await onTerminal(["export", "-o", file, "--db", db]);
    expect(tty).toContain("exported: 10,000 events");
    expect(tty).toContain("exported 10500 events from 7 conversations");
    const piped = await chatlog(["export", "-o", join(dir, "piped.jsonl"), "--db", db]);
    expect(piped.stderr).toBe(`exported 10500 events from 7 conversations to ${join(dir, "piped.jsonl")}\n`);

    const ttyImport = await onTerminal(["import", file, "--db", join(dir, "copy.db")]);
    expect(ttyImport).toContain("imported: 10,000 events");
    const pipedImport = await chatlog(["import", file, "--db", join(dir, "copy2.db")]);
    expect(pipedImport.stderr).toBe("");
    expect(pipedImport.stdout).toContain("imported 10500 events");
  });
});

describe("saved sessions", () => {
  it("save prints the id; list shows it; load prints its transcript or JSON lines", async () => {
    const db = await threeConversations();
    const save = await chatlog(["saved", "save", "b", "--name", "weather chat", "--db", db]);
    expect(save.code, save.stderr).toBe(0);
    const id = save.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const unnamed = await chatlog(["saved", "save", "c", "--db", db]);
    expect(unnamed.code, unnamed.stderr).toBe(0);

    const list = await chatlog(["saved", "list", "--json", "--db", db]);
    const sessions = list.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(sessions).toHaveLength(2);
    // Newest first.
    // messageCount counts user and assistant messages (not tool events), as the library defines it.
    expect(sessions[0]).toMatchObject({ id: unnamed.stdout.trim(), conversationId: "c", messageCount: 2 });
    expect(sessions[0].name).toMatch(/^Session \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(sessions[1]).toMatchObject({
      id,
      conversationId: "b",
      name: "weather chat",
      messageCount: 2,
      sessionStart: "2025-01-02T00:00:00.000Z",
      sessionEnd: "2025-01-02T00:00:03.000Z",
    });
    const table = await chatlog(["saved", "list", "--db", db]);
    expect(table.stdout).toContain(`${id}  `);
    expect(table.stdout).toContain("  b  weather chat");

    // Events appended after the save are not part of it.
    await seed("better-sqlite3", db, [
      { conversationId: "b", type: "user_message", role: "user", content: "later" },
    ]);
    const load = await chatlog(["saved", "load", id, "--db", db]);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toContain(`Saved session ${id} (conversation b, 4 events)`);
    expect(load.stdout).toContain("tool result ← get_weather id=call-b");
    expect(load.stdout).not.toContain("later");
    const json = await chatlog(["saved", "load", id, "--json", "--db", db]);
    const events = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events[0]).toMatchObject({ conversationId: "b", createdAt: "2025-01-02T00:00:00.000Z" });
  });

  it("unknown ids and empty conversations are errors with their codes", async () => {
    const db = await threeConversations();
    const load = await chatlog(["saved", "load", "no-such-id", "--db", db]);
    expect(load.code).toBe(1);
    expect(load.stderr).toContain("error [NOT_FOUND]: no saved session no-such-id");
    const save = await chatlog(["saved", "save", "empty", "--db", db]);
    expect(save.code).toBe(1);
    expect(save.stderr).toContain("error [EMPTY_CONVERSATION]");
  });
});

describe("prune", () => {
  it("runs the given policies, never touching saved conversations, and prints what it removed", async () => {
    const db = await threeConversations();
    expect((await chatlog(["saved", "save", "a", "--db", db])).code).toBe(0);
    const run = await chatlog(["prune", "--max-sessions", "1", "--db", db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("deleted by max sessions:  4 events");
    expect(run.stdout).toContain("removed conversations:    1");
    const left = await dump("better-sqlite3", db);
    expect([...new Set(left.map((e) => e.conversationId))].sort()).toEqual(["a", "c"]);

    const json = await chatlog(["prune", "--max-age-hours", "1", "--json", "--db", db]);
    expect(JSON.parse(json.stdout)).toEqual({
      deletedByAge: 4,
      deletedByMaxMessages: 0,
      deletedByMaxSessions: 0,
      expiredSavedSessions: 0,
      removedConversations: 1,
    });
    expect((await dump("better-sqlite3", db)).map((e) => e.conversationId)).toEqual(["a", "a", "a", "a"]);
  });

  it("--max-messages (a maximum, cutting only at turn starts) and --saved-retention-days", async () => {
    const db = await threeConversations();
    expect((await chatlog(["saved", "save", "a", "--db", db])).code).toBe(0);
    // The saved session expires first, so conversation a is no longer protected.
    const run = await chatlog([
      "prune",
      "--max-messages",
      "5",
      "--saved-retention-days",
      "0",
      "--json",
      "--db",
      db,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      deletedByAge: 0,
      deletedByMaxMessages: 8,
      deletedByMaxSessions: 0,
      expiredSavedSessions: 1,
      removedConversations: 2,
    });
    // 4 are left, not 5: a maximum is a maximum, and conversation b is one turn, which is never
    // split, so it goes whole.
    const left = await dump("better-sqlite3", db);
    expect(left.map((e) => e.conversationId)).toEqual(["c", "c", "c", "c"]);
    expect((await chatlog(["saved", "list", "--json", "--db", db])).stdout).toBe("");
  });

  it("a negative policy is refused by the repository with its code", async () => {
    const db = await threeConversations();
    const run = await chatlog(["prune", "--max-age-hours=-1", "--db", db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "error [INVALID_ARGUMENT]: retention.maxAgeHours must be a non-negative number",
    );
    expect(await dump("better-sqlite3", db)).toHaveLength(12);
  });
});

describe("stats", () => {
  it("prints events by type, conversations, size, oldest and newest activity", async () => {
    const db = await threeConversations();
    const run = await chatlog(["stats", "--db", db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`database:         ${db} (better-sqlite3)`);
    expect(run.stdout).toMatch(/size: {13}[\d,]+ bytes/);
    expect(run.stdout).toContain("conversations:    3");
    expect(run.stdout).toContain("events:           12");
    expect(run.stdout).toContain("  tool_call:          3");
    expect(run.stdout).toContain("oldest activity:  2025-01-01 00:00:00.000 UTC");
    expect(run.stdout).toContain("newest activity:  2025-01-03 00:00:03.000 UTC");
    const json = JSON.parse((await chatlog(["stats", "--json", "--db", db])).stdout);
    expect(json).toMatchObject({
      events: 12,
      conversations: 3,
      savedSessions: 0,
      eventsByType: { user_message: 3, tool_call: 3, tool_result: 3, assistant_message: 3 },
      oldestActivity: "2025-01-01T00:00:00.000Z",
      newestActivity: "2025-01-03T00:00:03.000Z",
    });
    expect(json.databaseBytes).toBeGreaterThan(0);
  });
});

describe("database selection", () => {
  it("uses DATABASE_URL when --db is absent, and --db over it", async () => {
    const db = await threeConversations();
    const fromEnv = await chatlog(["stats", "--json"], { env: { DATABASE_URL: `file:${db}` } });
    expect(JSON.parse(fromEnv.stdout).events).toBe(12);
    const other = join(dir, "other.db");
    await seed("better-sqlite3", other, turn("z", "2025-01-01T00:00:00Z").slice(0, 1));
    const override = await chatlog(["stats", "--json", "--db", other], {
      env: { DATABASE_URL: `file:${db}` },
    });
    expect(JSON.parse(override.stdout).events).toBe(1);
  });

  it("defaults to file:./data/chatlog.db, relative to the working directory", async () => {
    const run = await chatlog(["migrate"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, "data", "chatlog.db"))).toBe(true);
  });

  it("CHATLOG_DRIVER=libsql opens a file: URL through libSQL; an unknown driver is refused", async () => {
    const db = await threeConversations();
    const run = await chatlog(["stats", "--db", `file:${db}`], { env: { CHATLOG_DRIVER: "libsql" } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`database:         ${db} (libsql)`);
    expect(run.stdout).toContain("events:           12");
    const bad = await chatlog(["stats", "--db", db], { env: { CHATLOG_DRIVER: "mysql" } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error [INVALID_ARGUMENT]: CHATLOG_DRIVER must be one of");
    const postgresOnFile = await chatlog(["stats", "--db", db], { env: { CHATLOG_DRIVER: "postgres" } });
    expect(postgresOnFile.code).toBe(1);
    expect(postgresOnFile.stderr).toContain(
      "error [INVALID_ARGUMENT]: CHATLOG_DRIVER=postgres needs a postgres:// or postgresql:// DATABASE_URL",
    );
  });

  it("remote URLs need libSQL: forcing better-sqlite3 on one is refused before connecting", async () => {
    const run = await chatlog(["stats", "--db", "libsql://example.invalid"], {
      env: { CHATLOG_DRIVER: "better-sqlite3" },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is a remote URL; better-sqlite3 opens local files only");
  });

  it("as `pnpm chatlog`, relative paths resolve against the directory pnpm was started in (INIT_CWD)", async () => {
    const db = await threeConversations();
    const userDir = join(dir, "where-the-user-is");
    mkdirSync(userDir);
    const env = { INIT_CWD: userDir, npm_lifecycle_event: "chatlog" };
    const dbArg = relative(userDir, db);
    const run = await chatlog(["export", "a", "--db", dbArg, "-o", "out.jsonl"], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(userDir, "out.jsonl"))).toBe(true);
    expect(existsSync(join(CLI_DIR, "out.jsonl"))).toBe(false);
    // INIT_CWD left over from some other script (a test run, say) is not trusted.
    const leaked = await chatlog(["migrate", "--db", "leak.db"], {
      env: { INIT_CWD: userDir, npm_lifecycle_event: "test" },
      cwd: dir,
    });
    expect(leaked.code).toBe(0);
    expect(existsSync(join(dir, "leak.db"))).toBe(true);
    expect(existsSync(join(userDir, "leak.db"))).toBe(false);
  });
});
