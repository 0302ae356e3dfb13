import { existsSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { tempDir } from "@chatlog/conformance";
import Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openChatRepository } from "../src/index.ts";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

/** Enough awaited appends to ask the worker for a few checkpoints (it is asked every 64 commits). */
const APPENDS = 300;

async function appendMany(repo: Awaited<ReturnType<typeof openChatRepository>>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await repo.addEvent({
      conversationId: "c",
      type: "assistant_message",
      role: "assistant",
      content: `part ${i} `.repeat(20),
    });
  }
}

/**
 * Pages reach the database file only through a checkpoint. The writer's own automatic checkpoint
 * waits for 4000 WAL pages, far more than these appends write (about 4 pages each), so a file that
 * grows while they run was checkpointed by the worker, off the writer's thread.
 */
it("checkpoints the WAL from a worker while the writer goes on", async () => {
  const file = join(tmp.dir, "chat.db");
  const client = new Database(file);
  const repo = await openChatRepository({ client });
  try {
    expect(client.pragma("wal_autocheckpoint", { simple: true })).toBe(4000);
    const before = statSync(file).size;
    await appendMany(repo, APPENDS);
    const deadline = Date.now() + 10_000;
    while (statSync(file).size === before && Date.now() < deadline) await sleep(20);
    expect(statSync(file).size).toBeGreaterThan(before);
    // The writer's WAL never reached its own threshold: every page there was copied by the worker.
    const frames = statSync(`${file}-wal`).size / (4096 + 24);
    expect(frames).toBeLessThan(4000);
    expect(await repo.getEvents("c")).toHaveLength(APPENDS);
  } finally {
    await repo.close();
    client.close();
  }
});

/** This process's open file descriptors on `file` or its -wal and -shm companions (Linux). */
function openDescriptors(file: string): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(file)) n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}

/**
 * close() resolves only once the worker has closed its connection and ended: afterwards nothing
 * in this process holds the database file open, and the writer's close (the last one) has
 * folded the WAL into the file and removed it.
 */
it.skipIf(process.platform !== "linux")("close() stops the worker and its connection", async () => {
  const file = join(tmp.dir, "chat.db");
  const repo = await openChatRepository({ path: file });
  const writerOnly = openDescriptors(file);
  await appendMany(repo, APPENDS);
  // The worker opens its own connection to the file as it starts.
  const deadline = Date.now() + 10_000;
  while (openDescriptors(file) <= writerOnly && Date.now() < deadline) await sleep(20);
  expect(openDescriptors(file)).toBeGreaterThan(writerOnly);
  expect(existsSync(`${file}-wal`)).toBe(true);
  await repo.close();
  expect(openDescriptors(file)).toBe(0);
  expect(existsSync(`${file}-wal`)).toBe(false);

  const again = new Database(file, { readonly: true });
  try {
    expect(again.pragma("integrity_check", { simple: true })).toBe("ok");
    const row = again.prepare("SELECT COUNT(*) AS n FROM chat_events").get() as { n: number };
    expect(row.n).toBe(APPENDS);
  } finally {
    again.close();
  }
});

it("an in-memory database starts no worker and keeps SQLite's own checkpoint setting", async () => {
  const client = new Database(":memory:");
  const repo = await openChatRepository({ client });
  try {
    await appendMany(repo, 100);
    expect(client.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  } finally {
    await repo.close();
    client.close();
  }
});
