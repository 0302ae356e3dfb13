import { readFileSync } from "node:fs";
import { join } from "node:path";
import { postgresAvailable, type TestDatabase } from "@chatlog/pg-test-cluster";
import { testDatabase } from "@chatlog/pg-test-cluster/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatlog, tempDir } from "./run-cli.ts";
import { seed, TRICKY_EVENTS, turn } from "./seed.ts";

/**
 * The chatlog command on Postgres (`--db postgres://…`, or DATABASE_URL), a new database per
 * test on the run's throwaway cluster, the compiled bin as a child process.
 */
describe.runIf(postgresAvailable())("chatlog on Postgres", () => {
  let dir: string;
  let cleanup: () => void;
  let database: TestDatabase;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    database = await testDatabase();
  });
  afterEach(async () => {
    cleanup();
    await database.drop();
  });

  async function ok(args: string[], env: Record<string, string> = {}): Promise<string> {
    const run = await chatlog(args, { env });
    expect(run.code, run.stderr).toBe(0);
    return run.stdout;
  }
  const exportLines = async (db: string, file: string) => {
    await ok(["export", "-o", file, "--db", db]);
    return readFileSync(file, "utf8").trim().split("\n");
  };

  it("export from SQLite, import into Postgres, export again: the same events; a second import adds nothing", async () => {
    const source = join(dir, "source.db");
    await seed("better-sqlite3", source, [...TRICKY_EVENTS, ...turn("c-turn", "2025-02-02T10:00:00.000Z")]);
    const fromSqlite = await exportLines(source, join(dir, "sqlite.jsonl"));
    const total = fromSqlite.length - 1;

    expect(await ok(["import", join(dir, "sqlite.jsonl"), "--db", database.url])).toContain(
      `imported ${total} events`,
    );
    const fromPostgres = await exportLines(database.url, join(dir, "postgres.jsonl"));
    // Line by line, byte for byte, but for the header's export time.
    expect(fromPostgres.slice(1)).toEqual(fromSqlite.slice(1));

    const second = await chatlog(["import", join(dir, "sqlite.jsonl"), "--db", database.url]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(
      `imported 0 events from ${join(dir, "sqlite.jsonl")} (${total} already present, skipped)`,
    );
    const stats = JSON.parse(await ok(["stats", "--json", "--db", database.url]));
    expect(stats.events).toBe(total);
    expect((await exportLines(database.url, join(dir, "again.jsonl"))).slice(1)).toEqual(fromSqlite.slice(1));
  });

  it("migrate, list, show, saved sessions and stats read DATABASE_URL=postgres://", async () => {
    const env = { DATABASE_URL: database.url };
    // What the database held, read by the Postgres dialect before migrating (not SQLite's catalog).
    expect(await ok(["migrate"], env)).toBe(
      `created chatlog's schema in database ${database.url} (0 events in 0 conversations)\n`,
    );
    expect(await ok(["migrate"], env)).toBe(
      `database ${database.url} is up to date (0 events in 0 conversations)\n`,
    );
    const source = join(dir, "source.db");
    await seed("better-sqlite3", source, turn("c1", "2025-02-02T10:00:00.000Z"));
    await ok(["export", "-o", join(dir, "c1.jsonl"), "--db", source]);
    await ok(["import", join(dir, "c1.jsonl")], env);

    expect(await ok(["list"], env)).toContain("c1");
    const shown = await ok(["show", "c1"], env);
    expect(shown).toContain("What's the weather in Paris?");
    const savedId = (await ok(["saved", "save", "c1", "--name", "keep"], env)).trim();
    expect(await ok(["saved", "list"], env)).toContain("keep");
    expect(await ok(["saved", "load", savedId], env)).toContain("What's the weather in Paris?");
    const stats = await ok(["stats"], env);
    expect(stats).toContain("(postgres)");
    expect(stats).not.toMatch(/password/);
  });

  it("a wrong --db host is a one-line error naming the database without its password", async () => {
    const url = new URL(database.url);
    url.password = "secret-password";
    url.port = "1";
    const run = await chatlog(["list", "--db", url.toString()]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).not.toContain("secret-password");
  });
});
