import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows } from "./helpers/raw-db.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx");
const run = promisify(execFile);

/**
 * The environment a pnpm script gives its process: cwd is the package folder, INIT_CWD the
 * folder the user typed the command in. Everything that could name a database is removed from
 * the test run's own environment first, so only the default applies.
 */
function scriptEnv(initCwd: string, script: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, INIT_CWD: initCwd, npm_lifecycle_event: script, ...extra };
  for (const name of ["DATABASE_URL", "CHATLOG_DRIVER", "CHATLOG_DATA_DIR", "CHATLOG_EXAMPLE_DB"]) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** Starts the real server entry point and returns its `listening` line; stopped by SIGTERM. */
async function listeningLine(
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ database: string; url: string }> {
  const child = spawn(process.execPath, ["--import", tsx, join(repoRoot, "apps/server/src/main.ts")], {
    cwd,
    env: { ...env, PORT: "0", LOG_LEVEL: "warn", CHATLOG_OFFLINE_DELAY_MS: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const line = await new Promise<{ database: string; url: string }>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stderr.on("data", (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        for (const text of out.split("\n")) {
          if (text.includes('"listening"')) resolve(JSON.parse(text));
        }
      });
      child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${err}`)));
    });
    // Write something, so the next start can show it meets the same data.
    const turn = await fetch(`${line.url}/v1/conversations/from-${cwd.length}/turns`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content: "hello", requestId: "r1" }),
    });
    await turn.text();
    return line;
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

let ws: string;
beforeEach(() => {
  // A workspace of the repository's shape, with nothing in it but folders: the entry points
  // run from the real repository, their working directories are here.
  ws = realpathSync(mkdtempSync(join(tmpdir(), "chatlog-default-db-")));
  writeFileSync(join(ws, "pnpm-workspace.yaml"), "packages:\n  - apps/*\n");
  for (const app of ["server", "cli", "example"]) mkdirSync(join(ws, "apps", app), { recursive: true });
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe("one default database for every app and command", () => {
  it("`pnpm --filter @chatlog/server start`, `pnpm start` and `pnpm chatlog` use <workspace>/data/chatlog.db", async () => {
    const main = join(ws, "data", "chatlog.db");
    // pnpm --filter @chatlog/server start, typed at the root: runs in apps/server.
    const filtered = await listeningLine(join(ws, "apps", "server"), scriptEnv(ws, "start"));
    expect(filtered.database).toBe(main);
    // pnpm start: the root script, runs at the root.
    const rootStart = await listeningLine(ws, scriptEnv(ws, "start"));
    expect(rootStart.database).toBe(main);
    // The server started by hand from a package folder, no pnpm involved.
    const byHand = await listeningLine(join(ws, "apps", "server"), scriptEnv(ws, "none"));
    expect(byHand.database).toBe(main);
    // pnpm chatlog stats, typed in a package folder: the root script runs at the root.
    const stats = await run(
      process.execPath,
      ["--import", tsx, join(repoRoot, "apps/cli/src/main.ts"), "stats"],
      {
        cwd: ws,
        env: scriptEnv(join(ws, "apps", "cli"), "chatlog"),
      },
    );
    expect(stats.stdout).toContain(`database:         ${main} (better-sqlite3)`);
    // The three server starts wrote into the same file (two distinct conversation ids: two cwds).
    expect(stats.stdout).toMatch(/conversations:\s+2/);
  });

  it("`pnpm example` writes its own <workspace>/data/example.db, never the main database", async () => {
    const main = join(ws, "data", "chatlog.db");
    await listeningLine(ws, scriptEnv(ws, "start"));
    const before = countRows(main);
    // pnpm example: the root script runs `pnpm --filter @chatlog/example start` in apps/example;
    // a DATABASE_URL exported for the server must not pull the example into it.
    const example = await run(
      process.execPath,
      ["--import", tsx, join(repoRoot, "apps/example/src/main.ts")],
      {
        cwd: join(ws, "apps", "example"),
        env: scriptEnv(ws, "start", { DATABASE_URL: `file:${main}` }),
      },
    );
    const exampleDb = join(ws, "data", "example.db");
    expect(example.stdout).toContain(`database ${exampleDb}`);
    expect(countRows(exampleDb, "conversation_id = 'example-weather'")).toBeGreaterThan(0);
    expect(countRows(main)).toBe(before);
    expect(countRows(main, "conversation_id = 'example-weather'")).toBe(0);
  });
});
