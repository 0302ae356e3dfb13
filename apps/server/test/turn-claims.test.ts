import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, storedMessages, transport, userMessage } from "./helpers/ai-chat.ts";
import { childServerPool } from "./helpers/child-server.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { countRows, rawQuery } from "./helpers/raw-db.ts";
import { postTurn, readSse, runTurn } from "./helpers/sse.ts";
import { waitFor } from "./helpers/test-server.ts";

/** The stored replies, read with a connection of the test's own. */
function replies(file: string) {
  return rawQuery(
    file,
    "SELECT id, content, extra FROM chat_events WHERE type = 'assistant_message' ORDER BY seq",
  ).map((r) => ({ id: String(r.id), content: String(r.content), extra: JSON.parse(String(r.extra)) }));
}

async function firstEvents(response: Response, count: number): Promise<void> {
  const reader = readSse(response);
  for (let i = 0; i < count; i++) if ((await reader.next()).done) return;
}

describe.each(DRIVERS)("turn claims across processes on $name", (driver) => {
  const pool = childServerPool("chatlog-claims-", (file) => ({
    ...driver.env(file),
    CHATLOG_FOLLOW_POLL_MS: "20",
  }));
  let file: string;
  beforeEach(() => {
    pool.setup();
    file = pool.file;
  });
  afterEach(() => pool.cleanup());
  const start = pool.start;

  it("a retry reaching B after A stored the user message, before A's first delta, follows A (one generation)", async () => {
    // A pauses 600 ms before every word; B's model would say something else (another length),
    // so a second generation could not go unnoticed.
    const a = await start({ CHATLOG_OFFLINE_DELAY_MS: "600", CHATLOG_OFFLINE_REPLY_WORDS: "0" });
    const b = await start({ CHATLOG_OFFLINE_DELAY_MS: "0", CHATLOG_OFFLINE_REPLY_WORDS: "50" });
    const first = runTurn(a.url, "c1", { content: "race me", requestId: "r1" });
    await waitFor(() => (countRows(file, "type = 'user_message'") === 1 ? true : undefined));
    expect(countRows(file, "type = 'meta'")).toBe(0); // A has not streamed anything yet
    const retry = await runTurn(b.url, "c1", { content: "race me", requestId: "r1" });
    const original = await first;

    expect(original.start).toMatchObject({ replay: false, source: "model" });
    expect(retry.start).toMatchObject({ replay: true, source: "other-process" });
    expect(retry.start.messageId).toBe(original.start.messageId);
    const stored = replies(file);
    expect(stored).toHaveLength(1);
    expect(original.done.content).toBe(stored[0]?.content);
    expect(retry.done.content).toBe(stored[0]?.content);
    expect(retry.text).toBe(stored[0]?.content);
    expect(stored[0]?.extra.message_id).toBe(original.start.messageId);
    expect(stored[0]?.extra.interrupted).toBeUndefined();
    expect(countRows(file, "type = 'meta'")).toBe(0);
  });

  it("restarting one of two servers leaves the other's live turn alone (rolling restart)", async () => {
    const a = await start({ CHATLOG_OFFLINE_DELAY_MS: "25", CHATLOG_OFFLINE_REPLY_WORDS: "400" });
    const b = await start({ CHATLOG_CLAIM_STALE_MS: "2000" });
    const turn = runTurn(a.url, "c1", { content: "keep going", requestId: "r1" });
    await waitFor(() => (countRows(file, "type = 'meta'") >= 3 ? true : undefined));
    b.child.kill("SIGTERM");
    expect((await b.exited).code).toBe(0);
    const b2 = await start({ CHATLOG_CLAIM_STALE_MS: "2000" });
    // B's successor ran its start-up recovery while A's turn was live: nothing was finalized.
    expect(b2.lines.some((l) => l.includes("finalized an interrupted turn"))).toBe(false);
    const result = await turn;

    const stored = replies(file);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.extra.interrupted).toBeUndefined();
    expect(stored[0]?.content).toBe(result.done.content);
    expect(result.done.interrupted).toBe(false);
    expect(String(stored[0]?.content).split(/\s+/).length).toBeGreaterThanOrEqual(400);
  });

  it("SIGKILL of the claim holder: a follower on another process takes over and ends with the stored reply", async () => {
    const a = await start({ CHATLOG_OFFLINE_DELAY_MS: "40", CHATLOG_OFFLINE_REPLY_WORDS: "300" });
    const b = await start();
    const response = await postTurn(a.url, "c1", { content: "doomed", requestId: "r1" });
    await firstEvents(response, 6);
    const follow = runTurn(b.url, "c1", { content: "doomed", requestId: "r1" });
    await waitFor(() => (countRows(file, "type = 'meta'") >= 5 ? true : undefined));
    a.child.kill("SIGKILL");
    await a.exited;
    response.body?.cancel().catch(() => {});
    const followed = await follow;

    expect(followed.start).toMatchObject({ source: "other-process" });
    const stored = replies(file);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.extra).toMatchObject({ interrupted: true, message_id: followed.start.messageId });
    expect(followed.done).toMatchObject({
      content: stored[0]?.content,
      interrupted: true,
      eventId: stored[0]?.id,
    });
    expect(followed.text).toBe(stored[0]?.content);
    expect(countRows(file, "type = 'meta'")).toBe(0);
    expect(rawQuery(file, "SELECT COUNT(*) AS n FROM chat_turn_claims")[0]?.n).toBe(0);
  });

  it("SIGKILL of the holder before its first delta: the follower takes over and generates the reply", async () => {
    const a = await start({ CHATLOG_OFFLINE_DELAY_MS: "5000" });
    const b = await start({ CHATLOG_OFFLINE_DELAY_MS: "0" });
    const pending = postTurn(a.url, "c1", { content: "slow start", requestId: "r1" });
    await waitFor(() =>
      Number(rawQuery(file, "SELECT COUNT(*) AS n FROM chat_turn_claims")[0]?.n) === 1 ? true : undefined,
    );
    const follow = runTurn(b.url, "c1", { content: "slow start", requestId: "r1" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    a.child.kill("SIGKILL");
    await a.exited;
    await pending.then((r) => r.body?.cancel()).catch(() => {});
    const followed = await follow;

    const stored = replies(file);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.extra.interrupted).toBeUndefined();
    expect(stored[0]?.extra.message_id).toBe(followed.start.messageId);
    expect(followed.done).toMatchObject({ content: stored[0]?.content, interrupted: false });
    expect(followed.text).toBe(stored[0]?.content);
  });

  it("a claim held by a process elsewhere is honored until its heartbeat is stale, then taken over", async () => {
    const server = await start({ CHATLOG_CLAIM_STALE_MS: "1500" });
    // A turn that a server on another machine started: its user message, one delta, its claim.
    const db = new Database(file);
    const now = Date.now();
    const insert = db.prepare(
      `INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, role, content, extra, created_at_ms)
       VALUES (?, 'c1', ?, 1, ?, ?, ?, ?, ?)`,
    );
    insert.run("u1", 1, "user_message", "user", "far away", JSON.stringify({ request_id: "r1" }), now);
    insert.run(
      "d1",
      2,
      "meta",
      "assistant",
      "Partial answer",
      JSON.stringify({ kind: "assistant_delta", user_request_id: "r1", message_id: "m-remote" }),
      now,
    );
    db.prepare(
      `INSERT INTO chat_turn_claims (conversation_id, user_request_id, attempt, owner_id, message_id, claimed_at_ms, heartbeat_ms)
       VALUES ('c1', 'r1', 1, 'elsewhere|pid:[1]|42|x', 'm-remote', ?, ?)`,
    ).run(now, now);
    // The remote process keeps beating for a while, then stops.
    const beat = db.prepare("UPDATE chat_turn_claims SET heartbeat_ms = ? WHERE owner_id LIKE 'elsewhere|%'");
    const beating = setInterval(() => beat.run(Date.now()), 200);
    const started = Date.now();
    setTimeout(() => clearInterval(beating), 2500);

    const followed = await runTurn(server.url, "c1", { content: "far away", requestId: "r1" });
    const waited = Date.now() - started;
    db.close();

    expect(waited).toBeGreaterThanOrEqual(2500 + 1000); // not before the beats stopped and went stale
    expect(followed.start).toMatchObject({ source: "other-process", messageId: "m-remote" });
    const stored = replies(file);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      content: "Partial answer",
      extra: { interrupted: true, message_id: "m-remote" },
    });
    expect(followed.done).toMatchObject({ content: "Partial answer", interrupted: true });
    expect(countRows(file, "type = 'meta'")).toBe(0);
  });
  it("AI SDK resume on the other process: GET /api/chat/{id}/stream on B follows A's generation", async () => {
    const a = await start({ CHATLOG_OFFLINE_DELAY_MS: "20", CHATLOG_OFFLINE_REPLY_WORDS: "120" });
    const b = await start();
    const abort = new AbortController();
    const sent = await transport(a.url).sendMessages({
      chatId: "c1",
      messages: [userMessage("u1", "over there")],
      trigger: "submit-message",
      messageId: undefined,
      abortSignal: abort.signal,
    });
    const reader = sent.getReader();
    const first = await reader.read();
    const announced = first.value?.type === "start" ? first.value.messageId : undefined;
    for (let i = 0; i < 5; i++) await reader.read();
    abort.abort();
    await reader.cancel().catch(() => {});

    const resumed = await transport(b.url).reconnectToStream({ chatId: "c1" });
    expect(resumed).not.toBeNull();
    const { message, chunks } = await collect(resumed!);
    expect(chunks[0]).toEqual({ type: "start", messageId: announced });
    const onA = await storedMessages(a.url, "c1");
    const onB = await storedMessages(b.url, "c1");
    expect(onB).toEqual(onA);
    expect(onB[1]).toEqual(message);
    expect(message?.id).toBe(announced);
    expect(JSON.stringify(message?.parts.at(-1) ?? {}).split(/\s+/).length).toBeGreaterThanOrEqual(120);
    expect(replies(file)).toHaveLength(1);
    expect((await fetch(`${b.url}/api/chat/c1/stream`)).status).toBe(204);
  });
});
