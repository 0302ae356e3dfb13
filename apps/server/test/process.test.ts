import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChildServer, spawnServer } from "./helpers/child-server.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { expectRetryFollowsOtherProcess } from "./helpers/follow-scenario.ts";
import { countRows, rawQuery } from "./helpers/raw-db.ts";
import { postTurn, readSse, runTurn, type SseEvent } from "./helpers/sse.ts";
import { waitFor } from "./helpers/test-server.ts";

/** Reads SSE events from a turn until `count` deltas have arrived; leaves the stream open. */
async function readDeltas(response: Response, count: number): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = readSse(response);
  while (events.filter((e) => e.event === "delta").length < count) {
    const next = await reader.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

describe.each(DRIVERS)("server process on $name", (driver) => {
  let dir: string;
  let file: string;
  const children: ChildServer[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "chatlog-proc-"));
    file = join(dir, "chat.db");
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
      await c.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<ChildServer> {
    const server = await spawnServer({ ...driver.env(file), ...env });
    children.push(server);
    return server;
  }

  it("SIGKILL mid-stream: the next start finalizes the turn from its persisted deltas", async () => {
    const first = await start({ CHATLOG_OFFLINE_DELAY_MS: "40", CHATLOG_OFFLINE_REPLY_WORDS: "300" });
    const response = await postTurn(first.url, "c1", { content: "a long story", requestId: "r1" });
    await readDeltas(response, 5);
    // Make sure some deltas are committed (they are written without waiting for each other).
    await waitFor(() => (countRows(file, "type = 'meta'") >= 5 ? true : undefined));
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    response.body?.cancel().catch(() => {});

    const orphans = rawQuery(file, "SELECT content, extra FROM chat_events WHERE type = 'meta' ORDER BY seq");
    expect(orphans.length).toBeGreaterThanOrEqual(5);
    expect(orphans.length).toBeLessThan(300);
    expect(countRows(file, "type = 'assistant_message'")).toBe(0);
    const partial = orphans.map((r) => String(r.content)).join("");
    expect(partial.startsWith("You said: a long story.")).toBe(true);

    const second = await start();
    const replies = rawQuery(
      file,
      "SELECT content, extra, model FROM chat_events WHERE type = 'assistant_message'",
    );
    expect(replies).toHaveLength(1);
    expect(replies[0]?.content).toBe(partial);
    expect(replies[0]?.model).toBe("offline");
    expect(JSON.parse(String(replies[0]?.extra))).toMatchObject({
      interrupted: true,
      user_request_id: "r1",
      request_id: "assistant:r1",
    });
    expect(countRows(file, "type = 'meta'")).toBe(0);
    expect(second.lines.some((l) => l.includes("finalized an interrupted turn"))).toBe(true);

    // The retried request replays the interrupted reply, marked as such.
    const retry = await runTurn(second.url, "c1", { content: "a long story", requestId: "r1" });
    expect(retry.start.replay).toBe(true);
    expect(retry.done).toMatchObject({ content: partial, interrupted: true });
  });

  it("SIGTERM lets a turn in flight finish, stores it, and exits 0", async () => {
    const server = await start({ CHATLOG_OFFLINE_DELAY_MS: "10", CHATLOG_OFFLINE_REPLY_WORDS: "60" });
    const response = await postTurn(server.url, "c1", { content: "finish first", requestId: "r1" });
    const reader = readSse(response);
    const events: SseEvent[] = [];
    for (let i = 0; i < 4; i++) {
      const next = await reader.next();
      if (!next.done) events.push(next.value);
    }
    server.child.kill("SIGTERM");
    for (let next = await reader.next(); !next.done; next = await reader.next()) events.push(next.value);
    expect((await server.exited).code).toBe(0);

    const done = events.find((e) => e.event === "done")?.data;
    expect(done?.interrupted).toBe(false);
    const replies = rawQuery(file, "SELECT content, extra FROM chat_events WHERE type = 'assistant_message'");
    expect(replies[0]?.content).toBe(done.content);
    expect(String(replies[0]?.content).split(/\s+/).length).toBeGreaterThanOrEqual(60);
    expect(countRows(file, "type = 'meta'")).toBe(0);
  });

  it("SIGTERM past the shutdown timeout stores the partial reply as interrupted", async () => {
    const server = await start({
      CHATLOG_OFFLINE_DELAY_MS: "50",
      CHATLOG_OFFLINE_REPLY_WORDS: "1000",
      CHATLOG_SHUTDOWN_TIMEOUT_MS: "300",
    });
    const response = await postTurn(server.url, "c1", { content: "too long", requestId: "r1" });
    const reader = readSse(response);
    await reader.next();
    server.child.kill("SIGTERM");
    const events: SseEvent[] = [];
    for (let next = await reader.next(); !next.done; next = await reader.next()) events.push(next.value);
    expect((await server.exited).code).toBe(0);

    const done = events.find((e) => e.event === "done")?.data;
    expect(done?.interrupted).toBe(true);
    const replies = rawQuery(file, "SELECT content, extra FROM chat_events WHERE type = 'assistant_message'");
    expect(replies).toHaveLength(1);
    expect(replies[0]?.content).toBe(done.content);
    expect(JSON.parse(String(replies[0]?.extra)).interrupted).toBe(true);
    expect(countRows(file, "type = 'meta'")).toBe(0);
  });

  it("a retry sent to a second process follows the first process's generation", () =>
    expectRetryFollowsOtherProcess(start, file));

  it("exits non-zero with a clear message on invalid configuration", async () => {
    await expect(start({ PORT: "not-a-port" })).rejects.toThrow(
      /exited with 2 .*PORT must be a whole number/,
    );
    await expect(start({ CHATLOG_DRIVER: "postgres" })).rejects.toThrow(/CHATLOG_DRIVER/);
  });
});
