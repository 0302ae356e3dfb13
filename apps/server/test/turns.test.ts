import { afterEach, describe, expect, it } from "vitest";
import { TURN_DRIVERS } from "./helpers/drivers.ts";
import { jsonOf, postTurn, readSse, runTurn, type SseEvent } from "./helpers/sse.ts";
import { startTestServer, type TestServer, waitFor } from "./helpers/test-server.ts";

describe.each(TURN_DRIVERS)("turns on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("streams deltas then done, persisting deltas during the stream and compacting them at the end", async () => {
    server = await startTestServer(driver, { CHATLOG_OFFLINE_DELAY_MS: "10" });
    const raw = server.raw;
    const response = await postTurn(server.url, "c1", { content: "hello there", requestId: "r1" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events: SseEvent[] = [];
    let midStream: string | undefined;
    let deltaMessageId: string | undefined;
    for await (const event of readSse(response)) {
      events.push(event);
      if (event.event === "delta" && events.length === 5) {
        // Mid-stream, the deltas so far are already on disk as meta rows of this request.
        const rows = await waitFor(async () => {
          const r = await raw.query(
            "SELECT content, extra FROM chat_events WHERE type = 'meta' ORDER BY seq",
          );
          return r.length >= 3 ? r : undefined;
        });
        expect(JSON.parse(String(rows[0]?.extra))).toEqual({
          kind: "assistant_delta",
          user_request_id: "r1",
          message_id: expect.any(String),
        });
        deltaMessageId = JSON.parse(String(rows[0]?.extra)).message_id;
        midStream = rows.map((r) => String(r.content)).join("");
      }
    }
    const text = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    const done = events.at(-1);

    expect(events[0]).toEqual({
      event: "start",
      data: {
        conversationId: "c1",
        requestId: "r1",
        replay: false,
        joined: false,
        source: "model",
        messageId: expect.any(String),
        attempt: 1,
      },
    });
    // The assistant message id is announced first, carried by the deltas, and stored with the reply.
    const messageId = events[0]?.data.messageId;
    expect(deltaMessageId).toBe(messageId);
    expect(events.filter((e) => e.event === "delta").length).toBeGreaterThan(5);
    expect(done?.event).toBe("done");
    expect(text).toBe("You said: hello there. This is the start of our conversation.");
    expect(midStream && text.startsWith(midStream)).toBe(true);
    expect(done?.data.content).toBe(text);
    expect(done?.data.interrupted).toBe(false);

    // What is on disk, read with a separate connection.
    const rows = await server.raw.query(
      "SELECT type, role, content, seq, id, extra FROM chat_events ORDER BY seq",
    );
    expect(rows.map((r) => r.type)).toEqual(["user_message", "assistant_message"]);
    expect(rows[0]?.content).toBe("hello there");
    expect(JSON.parse(String(rows[0]?.extra)).request_id).toBe("r1");
    expect(rows[1]?.content).toBe(text);
    expect(rows[1]?.id).toBe(done?.data.eventId);
    expect(rows[1]?.seq).toBe(done?.data.seq);
    expect(JSON.parse(String(rows[1]?.extra))).toMatchObject({
      request_id: "assistant:r1",
      user_request_id: "r1",
      message_id: messageId,
    });
    expect(await server.raw.countRows("type = 'meta'")).toBe(0);
    expect(server.model?.calls).toBe(1);
  });

  it("at full speed stores the whole reply exactly, with no deltas left behind", async () => {
    server = await startTestServer(driver, {
      CHATLOG_OFFLINE_DELAY_MS: "0",
      CHATLOG_OFFLINE_REPLY_WORDS: "300",
    });
    const turn = await runTurn(server.url, "c1", { content: "fast", requestId: "r1" });
    expect(turn.events.filter((e) => e.event === "delta")).toHaveLength(300);
    const [reply] = await server.raw.query(
      "SELECT content FROM chat_events WHERE type = 'assistant_message'",
    );
    expect(reply?.content).toBe(turn.text);
    expect(await server.raw.countRows("type = 'meta'")).toBe(0);
  });

  it("replays a completed turn from storage without calling the model", async () => {
    server = await startTestServer(driver);
    const first = await runTurn(server.url, "c1", { content: "tell me something", requestId: "r1" });
    const callsBefore = server.model?.calls;
    const rowsBefore = await server.raw.countRows();

    const again = await runTurn(server.url, "c1", { content: "tell me something", requestId: "r1" });
    expect(again.status).toBe(200);
    expect(again.start).toMatchObject({ replay: true, source: "stored", requestId: "r1" });
    expect(again.text).toBe(first.text);
    expect(again.done).toEqual(first.done);
    expect(server.model?.calls).toBe(callsBefore);
    expect(await server.raw.countRows()).toBe(rowsBefore);
  });

  it("takes the request id from Idempotency-Key, and rejects a body id that differs", async () => {
    server = await startTestServer(driver);
    const first = await runTurn(server.url, "c1", { content: "hi", headers: { "Idempotency-Key": "k1" } });
    expect(first.start.requestId).toBe("k1");
    const retry = await runTurn(server.url, "c1", {
      content: "hi",
      requestId: "k1",
      headers: { "Idempotency-Key": "k1" },
    });
    expect(retry.start.replay).toBe(true);
    expect(server.model?.calls).toBe(1);

    const rows = await server.raw.countRows();
    const mismatch = await postTurn(server.url, "c1", {
      content: "hi",
      requestId: "a",
      headers: { "Idempotency-Key": "b" },
    });
    expect(mismatch.status).toBe(400);
    expect((await jsonOf(mismatch)).error.code).toBe("REQUEST_ID_MISMATCH");
    expect(await server.raw.countRows()).toBe(rows);
  });

  it("generates a request id when none is given, so two such posts are two turns", async () => {
    server = await startTestServer(driver);
    const a = await runTurn(server.url, "c1", { content: "same words" });
    const b = await runTurn(server.url, "c1", { content: "same words" });
    expect(a.start.requestId).not.toBe(b.start.requestId);
    expect(server.model?.calls).toBe(2);
    expect(await server.raw.countRows("type = 'user_message'")).toBe(2);
  });

  it("two concurrent identical requests share one generation and both get the full reply", async () => {
    server = await startTestServer(driver, {
      CHATLOG_OFFLINE_DELAY_MS: "10",
      CHATLOG_OFFLINE_REPLY_WORDS: "40",
    });
    const [a, b] = await Promise.all([
      runTurn(server.url, "c1", { content: "in parallel", requestId: "dup" }),
      runTurn(server.url, "c1", { content: "in parallel", requestId: "dup" }),
    ]);
    expect(server.model?.calls).toBe(1);
    expect(a.text.split(/\s+/).length).toBeGreaterThanOrEqual(40);
    expect(b.text).toBe(a.text);
    expect(b.done).toEqual(a.done);
    expect([a.start.joined, b.start.joined].sort()).toEqual([false, true]);
    expect(await server.raw.countRows("type = 'user_message'")).toBe(1);
    expect(await server.raw.countRows("type = 'assistant_message'")).toBe(1);
    expect(await server.raw.countRows("type = 'meta'")).toBe(0);
  });

  it("a retry arriving mid-stream gets the deltas so far, then the live ones", async () => {
    server = await startTestServer(driver, {
      CHATLOG_OFFLINE_DELAY_MS: "20",
      CHATLOG_OFFLINE_REPLY_WORDS: "30",
    });
    const firstResponse = await postTurn(server.url, "c1", { content: "follow me", requestId: "r1" });
    const firstEvents: SseEvent[] = [];
    const reader = readSse(firstResponse);
    // Read a few deltas before the retry arrives.
    while (firstEvents.filter((e) => e.event === "delta").length < 5) {
      const next = await reader.next();
      if (next.done) break;
      firstEvents.push(next.value);
    }
    const retry = runTurn(server.url, "c1", { content: "follow me", requestId: "r1" });
    for (let next = await reader.next(); !next.done; next = await reader.next()) firstEvents.push(next.value);
    const second = await retry;
    const firstText = firstEvents
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    expect(firstText).toBe(second.text);

    expect(second.start).toMatchObject({ joined: true, replay: false });
    expect(second.done.content.split(/\s+/).length).toBeGreaterThanOrEqual(30);
    expect(second.text).toBe(second.done.content);
    expect(server.model?.calls).toBe(1);
    expect(await server.raw.countRows("type = 'assistant_message'")).toBe(1);
  });

  it("a client that disconnects mid-stream does not stop generation or persistence", async () => {
    server = await startTestServer(driver, {
      CHATLOG_OFFLINE_DELAY_MS: "15",
      CHATLOG_OFFLINE_REPLY_WORDS: "40",
    });
    const abort = new AbortController();
    const response = await postTurn(server.url, "c1", {
      content: "going away",
      requestId: "gone",
      signal: abort.signal,
    });
    let deltas = 0;
    try {
      for await (const event of readSse(response)) {
        if (event.event === "delta" && ++deltas === 3) abort.abort();
      }
    } catch {
      // The aborted fetch rejects the read: that is the disconnect.
    }
    expect(deltas).toBe(3);
    expect(await server.raw.countRows("type = 'assistant_message'")).toBe(0);

    const raw = server.raw;
    const reply = await waitFor(async () => {
      const rows = await raw.query("SELECT content, extra FROM chat_events WHERE type = 'assistant_message'");
      return rows[0];
    });
    const content = String(reply.content);
    expect(content.startsWith("You said: going away.")).toBe(true);
    expect(content.split(/\s+/).length).toBeGreaterThanOrEqual(40);
    expect(JSON.parse(String(reply.extra)).interrupted).toBeUndefined();
    expect(await server.raw.countRows("type = 'meta'")).toBe(0);

    // The finished turn is replayed to a reconnecting client without a second model call.
    const again = await runTurn(server.url, "c1", { content: "going away", requestId: "gone" });
    expect(again.done.content).toBe(content);
    expect(server.model?.calls).toBe(1);
  });

  it("feeds earlier turns back to the model as history", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "c1", { content: "first", requestId: "r1" });
    const second = await runTurn(server.url, "c1", { content: "second", requestId: "r2" });
    expect(second.text).toBe("You said: second. I can see 2 earlier messages.");
    const prompt = server.model?.lastPrompt ?? [];
    expect(prompt.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    // Another conversation starts empty.
    const other = await runTurn(server.url, "c2", { content: "elsewhere", requestId: "r1" });
    expect(other.text).toBe("You said: elsewhere. This is the start of our conversation.");
  });
  it("percent-encodes the request id in x-chatlog-request-id, and refuses chatlog's reserved keys", async () => {
    server = await startTestServer(driver);
    const requestId = "ré qu/est:é😀";
    const turn = await postTurn(server.url, "c1", { content: "hi", requestId });
    expect(turn.status).toBe(200);
    const header = turn.headers.get("x-chatlog-request-id");
    expect(header).toBe(encodeURIComponent(requestId));
    expect(decodeURIComponent(String(header))).toBe(requestId);
    await turn.body?.cancel();

    const reserved = await postTurn(server.url, "c1", { content: "hi", requestId: "assistant:r9" });
    expect(reserved.status).toBe(400);
    expect((await jsonOf(reserved)).error.code).toBe("INVALID_ARGUMENT");
  });
});
