import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type HranaServer, startHranaServer } from "@chatlog/hrana-server";
import Database from "libsql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatlog, cleanEnv, REPO_ROOT, tempDir } from "./run-cli.ts";
import { dump, seed, TRICKY_EVENTS } from "./seed.ts";

const TOKEN = "cli-remote-token";

/**
 * The CLI on a remote libSQL database: `--db http://…` (or DATABASE_URL) with
 * DATABASE_AUTH_TOKEN, against the Hrana test server, and the root `pnpm db:migrate`
 * (drizzle-kit's turso dialect) on the same URL.
 */
let dir: string;
let cleanup: () => void;
let server: HranaServer;
let file: string;
beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  file = join(dir, "remote.db");
  server = await startHranaServer({ file, authToken: TOKEN });
});
afterEach(async () => {
  await server.close();
  cleanup();
});

const remote = () => ({ env: { DATABASE_AUTH_TOKEN: TOKEN } });

function appliedMigrations(): number {
  const db = new Database(file);
  try {
    return Number((db.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n);
  } finally {
    db.close();
  }
}

/** `pnpm db:migrate` as the README gives it: drizzle-kit migrate with the repository's config. */
function dbMigrate(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(REPO_ROOT, "node_modules", ".bin", "drizzle-kit"),
      ["migrate", "--config", "packages/schema/drizzle.config.ts"],
      { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

describe("chatlog CLI on a remote database (Hrana over HTTP)", () => {
  it("db:migrate (drizzle-kit, turso dialect) migrates the remote database; the CLI then finds it up to date", async () => {
    const migrated = await dbMigrate({ DATABASE_URL: server.url, DATABASE_AUTH_TOKEN: TOKEN });
    expect(migrated.code, migrated.output).toBe(0);
    const journal = JSON.parse(readFileSync(join(REPO_ROOT, "drizzle", "meta", "_journal.json"), "utf8"));
    expect(appliedMigrations()).toBe(journal.entries.length);
    // The drivers' migrator reads the same journal: nothing applied twice.
    const stats = await chatlog(["stats", "--json", "--db", server.url], remote());
    expect(stats.code, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout).events).toBe(0);
    expect(appliedMigrations()).toBe(journal.entries.length);
  });

  it("export from a local file, import into the remote database, export back: the same events", async () => {
    const source = join(dir, "source.db");
    await seed("better-sqlite3", source, TRICKY_EVENTS);
    const out = join(dir, "out.jsonl");
    const exported = await chatlog(["export", "-o", out, "--db", source]);
    expect(exported.code, exported.stderr).toBe(0);

    const imported = await chatlog(["import", out, "--db", server.url], remote());
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`imported ${TRICKY_EVENTS.length} events`);

    // What reached the remote database, read from the server's file directly.
    const stored = await dump("libsql", file);
    expect(stored).toEqual(await dump("better-sqlite3", source));

    const back = join(dir, "back.jsonl");
    const again = await chatlog(["export", "-o", back, "--db", server.url], remote());
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(back, "utf8").trim().split("\n").slice(1)).toEqual(
      readFileSync(out, "utf8").trim().split("\n").slice(1),
    );
    const list = await chatlog(["list", "--db", server.url], remote());
    expect(list.code, list.stderr).toBe(0);
  });

  it("a missing token or an unreachable URL is one line naming the URL, exit code non-zero", async () => {
    const noToken = await chatlog(["stats", "--db", server.url]);
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toContain(`remote database ${server.url} refused the token`);
    const url = server.url;
    await server.close();
    const down = await chatlog(["stats", "--db", url], remote());
    expect(down.code).not.toBe(0);
    expect(down.stderr.trim()).toMatch(
      new RegExp(`remote database ${url} is unreachable: connection refused`),
    );
    expect(down.stderr.trim().split("\n")).toHaveLength(1);
    server = await startHranaServer({ file, authToken: TOKEN });
  });
});
