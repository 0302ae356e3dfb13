import type { ChildProcess } from "node:child_process";
import type { UIMessage } from "ai";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { send, storedMessages, userMessage } from "./helpers/ai-chat.ts";
import { childServerPool } from "./helpers/child-server.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { countRows, rawQuery } from "./helpers/raw-db.ts";
import { postTurn, readSse, type SseEvent } from "./helpers/sse.ts";
import { startTestServer, type TestServer, waitFor } from "./helpers/test-server.ts";

/** Reads a turn's events until it ends (done or error), or until `until` says stop. */
async function readUntil(
  reader: AsyncGenerator<SseEvent>,
  events: SseEvent[],
  until: (events: SseEvent[]) => boolean = () => false,
): Promise<void> {
  while (!until(events)) {
    const next = await reader.next();
    if (next.done) return;
    events.push(next.value);
  }
}

/** The text of a UI message's text parts, joined. */
function textOf(message: UIMessage | undefined): string {
  return (message?.parts ?? []).map((p) => (p.type === "text" ? p.text : "")).join("");
}

/**
 * SIGSTOPs `child` at a moment it holds no write lock on `file`. A process frozen inside a write
 * transaction keeps every other process from writing until it resumes (SQLite's lock is the
 * file's), which is not the case under test and, on a loaded machine, is what made it time out:
 * if the lock is held right after the stop, let the child run a moment and stop it again.
 */
async function pauseOutsideWriteLock(child: ChildProcess, file: string): Promise<void> {
  const db = new Database(file, { timeout: 0 });
  try {
    for (;;) {
      child.kill("SIGSTOP");
      try {
        db.exec("BEGIN IMMEDIATE");
        db.exec("ROLLBACK");
        return;
      } catch (error) {
        if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY") !== true) throw error;
      }
      child.kill("SIGCONT");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    db.close();
  }
}

const claims = (file: string) => Number(rawQuery(file, "SELECT COUNT(*) AS n FROM chat_turn_claims")[0]?.n);

/**
 * A generator writes only while it holds its turn's claim (appendHeld / compactHeld). These are
 * the two ways of losing it while running: the conversation is deleted, or the process is
 * paused long enough for another process to take the turn over.
 */
describe.each(DRIVERS)("a generator that lost its turn's claim on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("DELETE /v1/conversations/{id} during a live turn stops it, and nothing of the turn remains", async () => {
    // 300 words at 20 ms each: the turn would run for 6 s if nothing stopped it.
    server = await startTestServer(driver, {
      CHATLOG_OFFLINE_DELAY_MS: "20",
      CHATLOG_OFFLINE_REPLY_WORDS: "300",
    });
    const { file } = server;
    const response = await postTurn(server.url, "c1", { content: "erase me mid-reply", requestId: "r1" });
    const reader = readSse(response);
    const events: SseEvent[] = [];
    await readUntil(reader, events, (e) => e.filter((x) => x.event === "delta").length >= 5);
    await waitFor(() => (countRows(file, "type = 'meta'") >= 2 ? true : undefined));

    const deleted = await fetch(`${server.url}/v1/conversations/c1`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    const started = Date.now();
    await readUntil(reader, events);

    // The stream ends with an error (nothing is stored to announce), long before the model's end.
    const last = events.at(-1);
    expect(last).toMatchObject({ event: "error", data: { code: "TURN_TAKEN_OVER" } });
    expect(events.some((e) => e.event === "done")).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(() => (server?.turns.inFlight === 0 ? true : undefined));
    expect(countRows(file, "conversation_id = 'c1'")).toBe(0);
    expect(rawQuery(file, "SELECT * FROM chat_conversations WHERE conversation_id = 'c1'")).toEqual([]);
    expect(claims(file)).toBe(0);
    // And it stays so: no write was merely late.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(countRows(file, "conversation_id = 'c1'")).toBe(0);
    expect((await fetch(`${server.url}/v1/conversations/c1/events`)).status).toBe(404);
  });
});

describe.each(DRIVERS)("a paused generator taken over on $name", (driver) => {
  const pool = childServerPool("chatlog-claim-lost-", (file) => ({
    ...driver.env(file),
    CHATLOG_CLAIM_STALE_MS: "1000",
    CHATLOG_CLAIM_HEARTBEAT_MS: "200",
    CHATLOG_FOLLOW_POLL_MS: "20",
  }));
  beforeEach(() => pool.setup());
  afterEach(() => pool.cleanup());

  it("SIGSTOP of the holder: another server finalizes the turn; once resumed, the paused one writes nothing and ends with the stored reply", async () => {
    const a = await pool.start({ CHATLOG_OFFLINE_DELAY_MS: "10", CHATLOG_OFFLINE_REPLY_WORDS: "2000" });
    const b = await pool.start();
    const { file } = pool;
    // Every turn row written after its attempt's reply, recorded by the database itself (a
    // start-up clean-up could not hide one).
    const db = new Database(file);
    db.exec(`CREATE TABLE late_writes (seq INTEGER, type TEXT);
      CREATE TRIGGER record_late_writes AFTER INSERT ON chat_events
      WHEN NEW.user_request_id IS NOT NULL AND NEW.type IN ('meta', 'tool_call', 'tool_result')
        AND EXISTS (SELECT 1 FROM chat_events r WHERE r.conversation_id = NEW.conversation_id
          AND r.user_request_id = NEW.user_request_id AND r.type = 'assistant_message'
          AND COALESCE(json_extract(r.extra, '$.attempt'), 1) = COALESCE(json_extract(NEW.extra, '$.attempt'), 1))
      BEGIN INSERT INTO late_writes VALUES (NEW.seq, NEW.type); END;`);
    db.close();

    const response = await postTurn(a.url, "c1", { content: "pause me", requestId: "r1" });
    const reader = readSse(response);
    const events: SseEvent[] = [];
    await readUntil(reader, events, (e) => e.filter((x) => x.event === "delta").length >= 5);
    // The same turn on A through the AI SDK's transport: it joins A's generation.
    const uiClient = send(a.url, "c1", userMessage("r1", "pause me"));
    await waitFor(() => (countRows(file, "type = 'meta'") >= 3 ? true : undefined));
    await pauseOutsideWriteLock(a.child, file);
    try {
      // B's sweep takes the stale claim over and stores the reply from A's deltas, as interrupted.
      await waitFor(() => (countRows(file, "type = 'assistant_message'") === 1 ? true : undefined), 15_000);
      await waitFor(() => (claims(file) === 0 ? true : undefined));
    } finally {
      a.child.kill("SIGCONT");
    }
    await readUntil(reader, events);

    const stored = rawQuery(
      file,
      "SELECT id, content, extra FROM chat_events WHERE type = 'assistant_message'",
    );
    expect(stored).toHaveLength(1);
    expect(JSON.parse(String(stored[0]?.extra))).toMatchObject({ interrupted: true });
    // A stopped at once: its resumed model wrote nothing, and its client ends with B's reply.
    expect(events.at(-1)).toMatchObject({
      event: "done",
      data: { eventId: stored[0]?.id, content: stored[0]?.content, interrupted: true },
    });
    // Every client of A ends with exactly the stored reply: no text reached one before its
    // write was accepted under the claim (issue 15, defect 3).
    const deltas = events.filter((e) => e.event === "delta").map((e) => (e.data as { text: string }).text);
    expect(deltas.join("")).toBe(stored[0]?.content);
    const { message: built } = await uiClient;
    const loaded = (await storedMessages(a.url, "c1")).at(-1);
    expect(textOf(built)).toBe(stored[0]?.content);
    expect(textOf(built)).toBe(textOf(loaded));
    expect(built?.id).toBe(loaded?.id);
    expect(rawQuery(file, "SELECT * FROM late_writes")).toEqual([]);
    expect(countRows(file, "type = 'meta'")).toBe(0);
    expect(claims(file)).toBe(0);
    // A keeps serving: a retry of the turn on A replays the stored reply.
    const retry = await postTurn(a.url, "c1", { content: "pause me", requestId: "r1" });
    const replay: SseEvent[] = [];
    await readUntil(readSse(retry), replay);
    expect(replay.at(-1)).toMatchObject({ event: "done", data: { content: stored[0]?.content } });
    void b;
  });

  it("DELETE during a turn that another server follows: neither the holder nor the follower writes into the deleted conversation", async () => {
    const a = await pool.start({ CHATLOG_OFFLINE_DELAY_MS: "15", CHATLOG_OFFLINE_REPLY_WORDS: "400" });
    const b = await pool.start({ CHATLOG_OFFLINE_DELAY_MS: "1", CHATLOG_OFFLINE_REPLY_WORDS: "400" });
    const { file } = pool;
    const response = await postTurn(a.url, "c1", { content: "erase me", requestId: "r1" });
    const onA: SseEvent[] = [];
    const readerA = readSse(response);
    await readUntil(readerA, onA, (e) => e.filter((x) => x.event === "delta").length >= 3);
    // The same request retried on B follows A's generation from the database.
    const retry = await postTurn(b.url, "c1", { content: "erase me", requestId: "r1" });
    const onB: SseEvent[] = [];
    const readerB = readSse(retry);
    await readUntil(readerB, onB, (e) => e.filter((x) => x.event === "delta").length >= 3);
    expect(onB[0]).toMatchObject({ event: "start", data: { source: "other-process" } });

    expect((await fetch(`${a.url}/v1/conversations/c1`, { method: "DELETE" })).status).toBe(200);
    await Promise.all([readUntil(readerA, onA), readUntil(readerB, onB)]);

    // The follower finds the claim gone and takes the turn, but has no user message to answer.
    expect(onA.at(-1)).toMatchObject({ event: "error", data: { code: "TURN_TAKEN_OVER" } });
    expect(onB.at(-1)).toMatchObject({ event: "error", data: { code: "NOT_FOUND" } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(countRows(file, "conversation_id = 'c1'")).toBe(0);
    expect(rawQuery(file, "SELECT * FROM chat_conversations WHERE conversation_id = 'c1'")).toEqual([]);
    expect(claims(file)).toBe(0);
  });
});
