import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { send, storedMessages, userMessage } from "./helpers/ai-chat.ts";
import { childServerPool } from "./helpers/child-server.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { rawQuery } from "./helpers/raw-db.ts";
import { jsonOf, postTurn, readSse, type SseEvent } from "./helpers/sse.ts";
import { startTestServer, type TestServer, waitFor } from "./helpers/test-server.ts";

/** Issue 14, section 3: Stop, recorded in the database and obeyed by the turn's holder. */
const JSON_POST = { method: "POST", headers: { "content-type": "application/json" } };
const SLOW = { CHATLOG_OFFLINE_DELAY_MS: "20", CHATLOG_OFFLINE_REPLY_WORDS: "150" };

async function readAll(
  reader: AsyncGenerator<SseEvent>,
  events: SseEvent[],
  until?: (e: SseEvent[]) => boolean,
) {
  while (!until?.(events)) {
    const next = await reader.next();
    if (next.done) return;
    events.push(next.value);
  }
}

const deltaText = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === "delta")
    .map((e) => (e.data as { text: string }).text)
    .join("");

function storedReplies(file: string) {
  return rawQuery(
    file,
    "SELECT content, extra FROM chat_events WHERE type = 'assistant_message' ORDER BY seq",
  ).map((r) => ({
    content: String(r.content),
    extra: JSON.parse(String(r.extra)) as Record<string, unknown>,
  }));
}

describe.each(DRIVERS)("stop on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("POST /api/chat/{id}/stop ends the reply in flight: what was generated is the stored reply, marked stopped, and a normal reply afterwards", async () => {
    server = await startTestServer(driver, SLOW);
    const idle = await fetch(`${server.url}/api/chat/c1/stop`, JSON_POST);
    expect(idle.status).toBe(409);
    expect((await jsonOf(idle)).error.code).toBe("NO_TURN_IN_FLIGHT");

    const reader = readSse(
      await postTurn(server.url, "c1", { content: "talk for a long time", requestId: "r1" }),
    );
    const events: SseEvent[] = [];
    await readAll(reader, events, (e) => e.filter((x) => x.event === "delta").length >= 5);
    const stopped = await fetch(`${server.url}/api/chat/c1/stop`, JSON_POST);
    expect(stopped.status).toBe(200);
    expect(await jsonOf(stopped)).toEqual({ stopped: true, requestId: "r1" });
    const at = Date.now();
    await readAll(reader, events);
    expect(Date.now() - at).toBeLessThan(1_500);

    const done = events.at(-1) as SseEvent;
    expect(done).toMatchObject({ event: "done", data: { stopped: true, interrupted: false } });
    const [reply] = storedReplies(server.file);
    expect(reply?.extra).toMatchObject({ stopped: true });
    expect(reply?.extra.interrupted).toBeUndefined();
    expect((done.data as { content: string }).content).toBe(reply?.content);
    expect(deltaText(events)).toBe(reply?.content);
    // Far from the 150 words the model would have said: its call was aborted.
    expect(reply?.content.split(" ").length).toBeLessThan(100);
    expect(server.turns.inFlight).toBe(0);
    expect((await fetch(`${server.url}/api/chat/c1/stop`, JSON_POST)).status).toBe(409);

    // A normal reply: /messages shows it (marked), the next turn's model input has it.
    const messages = await storedMessages(server.url, "c1");
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(messages[1]?.metadata).toEqual({ stopped: true });
    await fetch(`${server.url}/v1/conversations/c1/turns`, {
      ...JSON_POST,
      body: JSON.stringify({ content: "and then?", requestId: "r2" }),
    }).then((r) => r.text());
    const prompt = server.model?.lastPrompt ?? [];
    expect(JSON.stringify(prompt.filter((m) => m.role === "assistant"))).toContain(
      reply?.content.slice(0, 30),
    );
  });

  it("the UI stream of a stopped reply builds the message /messages returns; a stopped reply can be regenerated", async () => {
    server = await startTestServer(driver, SLOW);
    const url = server.url;
    const sending = send(url, "c1", userMessage("u1", "say a lot"));
    await waitFor(() =>
      rawQuery(server!.file, "SELECT 1 FROM chat_events WHERE type = 'meta'").length > 2 ? true : undefined,
    );
    expect((await fetch(`${url}/api/chat/c1/stop`, JSON_POST)).status).toBe(200);
    const { message } = await sending;
    const stored = await storedMessages(url, "c1");
    expect(stored[1]).toEqual(message);
    expect(message?.metadata).toEqual({ stopped: true });
    const again = await send(url, "c1", userMessage("u1", "say a lot"), {
      trigger: "regenerate-message",
      messageId: message?.id,
    });
    expect(again.message?.id).not.toBe(message?.id);
    expect((await storedMessages(url, "c1")).map((m) => m.id)).toEqual(["u1", again.message?.id]);
  });

  it("a stop for another turn, or a bad id, is refused", async () => {
    server = await startTestServer(driver, SLOW);
    const reader = readSse(await postTurn(server.url, "c1", { content: "go", requestId: "r1" }));
    const events: SseEvent[] = [];
    await readAll(reader, events, (e) => e.some((x) => x.event === "delta"));
    const other = await fetch(`${server.url}/v1/conversations/c1/turns/r9/stop`, JSON_POST);
    expect(other.status).toBe(409);
    expect((await jsonOf(other)).error.code).toBe("NO_TURN_IN_FLIGHT");
    const plain = await fetch(`${server.url}/v1/conversations/c1/turns/r1/stop`, { method: "POST" });
    expect(plain.status).toBe(415);
    const right = await fetch(`${server.url}/v1/conversations/c1/turns/r1/stop`, JSON_POST);
    expect(await jsonOf(right)).toEqual({ stopped: true, requestId: "r1" });
    await readAll(reader, events);
    expect(events.at(-1)).toMatchObject({ event: "done", data: { stopped: true } });
  });
});

describe.each(DRIVERS)("stop across two server processes on $name", (driver) => {
  const pool = childServerPool("chatlog-stop-", (file) => driver.env(file));
  beforeEach(() => pool.setup());
  afterEach(() => pool.cleanup());

  it("a stop sent to another process is recorded in the database, and the holder obeys it within a second", async () => {
    const a = await pool.start(SLOW);
    const b = await pool.start();
    const reader = readSse(await postTurn(a.url, "c1", { content: "talk for a long time", requestId: "r1" }));
    const events: SseEvent[] = [];
    await readAll(reader, events, (e) => e.filter((x) => x.event === "delta").length >= 5);
    const stopped = await fetch(`${b.url}/v1/conversations/c1/turns/r1/stop`, JSON_POST);
    expect(stopped.status).toBe(200);
    expect(await jsonOf(stopped)).toEqual({ stopped: true, requestId: "r1" });
    const at = Date.now();
    await readAll(reader, events);
    expect(Date.now() - at).toBeLessThan(1_500);
    const [reply] = storedReplies(pool.file);
    expect(reply?.extra).toMatchObject({ stopped: true });
    expect(events.at(-1)).toMatchObject({ event: "done", data: { stopped: true, content: reply?.content } });
    expect(deltaText(events)).toBe(reply?.content);
    const messages = await storedMessages(b.url, "c1");
    expect(messages[1]?.metadata).toEqual({ stopped: true });
    expect((await fetch(`${b.url}/api/chat/c1/stop`, JSON_POST)).status).toBe(409);
  });
});
