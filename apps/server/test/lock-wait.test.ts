import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChildServer, spawnServer } from "./helpers/child-server.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { rawQuery } from "./helpers/raw-db.ts";
import { runTurn } from "./helpers/sse.ts";

/** How long the second process keeps the write lock (below the 5 s busy timeout). */
const HOLD_MS = 3_000;

/**
 * A second process that takes the database's write lock (BEGIN IMMEDIATE), says "locked", keeps
 * it for `holdMs`, and commits.
 */
function holdWriteLock(file: string, holdMs: number): { child: ChildProcess; locked: Promise<void> } {
  const script = `
    const Database = require("better-sqlite3");
    const db = new Database(process.argv[1]);
    db.exec("BEGIN IMMEDIATE");
    db.prepare("INSERT INTO chatlog_state (key, value) VALUES ('lock-holder', 1)").run();
    process.stdout.write("locked\\n");
    setTimeout(() => { db.exec("COMMIT"); db.close(); }, Number(process.argv[2]));
  `;
  const child = spawn(process.execPath, ["-e", script, file, String(holdMs)], {
    cwd: join(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("locked")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return { child, locked };
}

describe.each(DRIVERS)("waiting for another process's lock on $name", (driver) => {
  let dir: string;
  let file: string;
  const children: ChildProcess[] = [];
  let server: ChildServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "chatlog-lock-"));
    file = join(dir, "chat.db");
  });
  afterEach(async () => {
    for (const child of [...children.splice(0), ...(server ? [server.child] : [])]) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await once(child, "exit");
      }
    }
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps /healthz answering while a turn waits for the lock, and the turn then completes", async () => {
    server = await spawnServer(driver.env(file));
    const warm = await runTurn(server.url, "c1", { content: "warm up", requestId: "w1" });
    expect(warm.status).toBe(200);

    const holder = holdWriteLock(file, HOLD_MS);
    children.push(holder.child);
    await holder.locked;
    const lockedAt = performance.now();

    // A turn whose writes must wait for the lock.
    const turn = runTurn(server.url, "c2", { content: "while locked", requestId: "r1" });
    let slowest = 0;
    let probes = 0;
    while (performance.now() - lockedAt < HOLD_MS - 300) {
      const started = performance.now();
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      await health.body?.cancel();
      slowest = Math.max(slowest, performance.now() - started);
      probes++;
      await new Promise((r) => setTimeout(r, 50));
    }
    const result = await turn;
    const waited = performance.now() - lockedAt;

    // A synchronous busy wait would have frozen the server for the rest of the hold.
    expect(probes).toBeGreaterThan(5);
    expect(slowest, `slowest /healthz: ${slowest.toFixed(0)} ms`).toBeLessThan(1_000);
    // The turn really waited for the lock, then stored its messages.
    expect(waited).toBeGreaterThan(HOLD_MS - 300);
    expect(result.status).toBe(200);
    expect(result.done).not.toBeNull();
    const stored = rawQuery(
      file,
      "SELECT type, content FROM chat_events WHERE conversation_id = 'c2' AND type IN ('user_message', 'assistant_message') ORDER BY seq",
    );
    expect(stored.map((r) => r.type)).toEqual(["user_message", "assistant_message"]);
    expect(stored[1]?.content).toBe(result.done?.content);
  });
});
