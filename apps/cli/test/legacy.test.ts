import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANSI, chatlog, REPO_ROOT, tempDir } from "./run-cli.ts";
import { dump } from "./seed.ts";

const FIXTURE = join(REPO_ROOT, "fixtures", "legacy", "python-seed.db");
const SEED_TOOLS = join(REPO_ROOT, "fixtures", "python-seed");
const MAKER = join(SEED_TOOLS, "make_legacy_db.py");

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** A database written by the Python system: the committed fixture, else made by the seed's own code. */
function legacyDatabase(): string {
  const path = join(dir, "chat_history.db");
  if (existsSync(FIXTURE)) copyFileSync(FIXTURE, path);
  else execFileSync("/usr/bin/python3", [MAKER, path], { stdio: "ignore" });
  return path;
}

const withoutHeader = (text: string) => text.slice(text.indexOf("\n") + 1);

describe("a Python-era chat_history.db", () => {
  it("is migrated, listed, shown, exported, imported into libSQL and exported again identically", async () => {
    const legacy = legacyDatabase();

    const migrated = await chatlog(["migrate", "--db", legacy]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(
      /^adopted the Python-era database .* in place \(it stays usable by the Python system\) \(\d+ events in 7 conversations\)\n$/,
    );

    const list = await chatlog(["list", "--db", legacy]);
    expect(list.code, list.stderr).toBe(0);
    const listed = list.stdout.trim().split("\n").slice(1);
    // Columns: last activity (2 words), created (2 words), events, conversation, title.
    expect(listed.map((line) => line.split(/\s+/)[5]).sort()).toEqual([
      "conv-basic",
      "conv-jsonish",
      "conv-misc",
      "conv-parts",
      "conv-procs",
      "conv-race",
      "conv-stream",
    ]);
    // conv-race: 200 concurrent Python writes; the duplicated seqs were renumbered, none lost.
    expect(listed.find((line) => line.split(/\s+/)[5] === "conv-race")).toMatch(/\s200\s+conv-race(\s|$)/);

    const show = await chatlog(["show", "conv-basic", "--db", legacy]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toMatch(ANSI);
    expect(show.stdout).toContain("What's the weather in Paris?");
    expect(show.stdout).toMatch(/#2 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC {2}assistant · tool call/);
    expect(show.stdout).toContain('get_weather({"city":"Paris"}) id=call_1');
    expect(show.stdout).toContain("tool result ← get_weather id=call_1");
    expect(show.stdout).toContain('{"temp_c": 18, "sky": "cloudy"}');
    expect(show.stdout).toContain("It is 18°C and cloudy in Paris.");

    const parts = await chatlog(["show", "conv-parts", "--db", legacy]);
    expect(parts.stdout).toContain("    hello\n    world\n");
    // Strings that merely look like JSON stay strings; the Python code could not even read them.
    const jsonish = await chatlog(["show", "conv-jsonish", "--db", legacy]);
    expect(jsonish.code, jsonish.stderr).toBe(0);
    expect(jsonish.stdout).toContain("    [1, 2, 3]\n");
    expect(jsonish.stdout).toContain('    ["a"]\n');

    const first = join(dir, "first.jsonl");
    const exported = await chatlog(["export", "--db", legacy, "-o", first]);
    expect(exported.code, exported.stderr).toBe(0);
    const firstText = readFileSync(first, "utf8");
    const eventLines = withoutHeader(firstText).trim().split("\n");
    expect(exported.stderr).toContain(`exported ${eventLines.length} events from 7 conversations`);

    const libsqlDb = join(dir, "fresh-libsql.db");
    const libsql = { CHATLOG_DRIVER: "libsql" };
    const imported = await chatlog(["import", first, "--db", `file:${libsqlDb}`], { env: libsql });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`imported ${eventLines.length} events`);
    expect(imported.stdout).toContain("(0 already present, skipped)");

    // Exported again from libSQL to stdout: the same bytes, apart from the header's export time.
    const again = await chatlog(["export", "--db", `file:${libsqlDb}`], { env: libsql });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.slice(0, again.stdout.indexOf("\n")))).toMatchObject({
      format: "chatlog-export",
      version: 2,
    });
    expect(withoutHeader(again.stdout)).toBe(withoutHeader(firstText));

    // And the stored events are equal field by field, read through each driver.
    expect(await dump("libsql", libsqlDb)).toEqual(await dump("better-sqlite3", legacy));

    // Importing the same file again adds nothing.
    const reimport = await chatlog(["import", first, "--db", `file:${libsqlDb}`], { env: libsql });
    expect(reimport.code, reimport.stderr).toBe(0);
    expect(reimport.stdout).toContain(
      `imported 0 events from ${first} (${eventLines.length} already present, skipped)`,
    );
    const stats = await chatlog(["stats", "--json", "--db", `file:${libsqlDb}`], { env: libsql });
    expect(JSON.parse(stats.stdout).events).toBe(eventLines.length);
  });

  it("other commands adopt it too, and the Python system still reads and writes it after", async () => {
    const legacy = legacyDatabase();
    const stats = await chatlog(["stats", "--db", legacy]);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toContain("conversations:    7");
    expect(stats.stdout).toMatch(/oldest activity: {2}2024-01-15 12:00:00\.000 UTC/);
    const saved = await chatlog(["saved", "save", "conv-basic", "--name", "paris", "--db", legacy]);
    expect(saved.code, saved.stderr).toBe(0);
    const loaded = await chatlog(["saved", "load", saved.stdout.trim(), "--db", legacy]);
    expect(loaded.stdout).toContain("It is 18°C and cloudy in Paris.");

    // The seed's own code (its reader cannot parse JSON-looking strings, hence the flag).
    const checker = join(SEED_TOOLS, "check_legacy_db.py");
    const report = execFileSync(
      "/usr/bin/python3",
      [checker, legacy, "--expect-read-error", "conv-jsonish"],
      {
        encoding: "utf8",
      },
    );
    expect(JSON.parse(report.trim().split("\n").at(-1) ?? "{}")).toMatchObject({
      ok: true,
      conversations: 7,
    });
  });
});
