import { validateUIMessages } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { collect, send, storedMessages, transport, userMessage } from "./helpers/ai-chat.ts";
import { TURN_DRIVERS } from "./helpers/drivers.ts";
import { jsonOf, runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

describe.each(TURN_DRIVERS)("/api/chat on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("streams the UI message protocol; the SDK's client builds the message /messages returns", async () => {
    server = await startTestServer(driver);
    const response = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "c1", messages: [userMessage("u1", "hello")], trigger: "submit-message" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-vercel-ai-ui-message-stream")).toBe("v1");
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const body = await response.text();
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
    const types = body
      .split("\n\n")
      .filter((b) => b.startsWith("data: {"))
      .map((b) => JSON.parse(b.slice(6)).type);
    expect(types[0]).toBe("start");
    expect(types.slice(1, 3)).toEqual(["start-step", "text-start"]);
    expect(types.slice(-3)).toEqual(["text-end", "finish-step", "finish"]);

    // The same conversation through the SDK's own transport and readUIMessageStream.
    const { message, chunks } = await send(server.url, "c1", userMessage("u2", "calculate 2 + 3"));
    expect(chunks.map((c) => c.type)).toContain("tool-input-available");
    expect(chunks.map((c) => c.type)).toContain("tool-output-available");
    const stored = await storedMessages(server.url, "c1");
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(stored[2]).toEqual(userMessage("u2", "calculate 2 + 3"));
    expect(stored[3]).toEqual(message);
    expect(message?.parts.map((p) => p.type)).toEqual([
      "step-start",
      "tool-calculator",
      "step-start",
      "text",
    ]);
    // The start chunk announced the id that was stored.
    const start = chunks.find((c) => c.type === "start");
    expect(start && "messageId" in start ? start.messageId : null).toBe(stored[3]?.id);
    const [reply] = await server.raw.query(
      "SELECT extra FROM chat_events WHERE type = 'assistant_message' ORDER BY seq DESC",
    );
    expect(JSON.parse(String(reply?.extra)).message_id).toBe(stored[3]?.id);
    await expect(validateUIMessages({ messages: stored })).resolves.toBeDefined();
  });

  it("a retried user message id replays with no model call, also across /v1 and /api/chat", async () => {
    server = await startTestServer(driver);
    const first = await send(server.url, "c1", userMessage("u1", "once"));
    expect(server.model?.calls).toBe(1);
    const again = await send(server.url, "c1", userMessage("u1", "once"));
    expect(server.model?.calls).toBe(1);
    expect(again.message).toEqual(first.message);

    // The same turn through /v1: a replay carrying the same assistant message id.
    const v1 = await runTurn(server.url, "c1", { content: "once", requestId: "u1" });
    expect(v1.start).toMatchObject({ replay: true, source: "stored", messageId: first.message?.id });
    expect(server.model?.calls).toBe(1);

    // And the reverse: a /v1 turn retried as an AI SDK user message.
    const began = await runTurn(server.url, "c1", { content: "from v1", requestId: "u2" });
    const retried = await send(server.url, "c1", userMessage("u2", "from v1"));
    expect(server.model?.calls).toBe(2);
    expect(retried.message?.id).toBe(began.start.messageId);
    const stored = await storedMessages(server.url, "c1");
    expect(stored).toHaveLength(4);
    expect(stored[3]).toEqual(retried.message);
  });

  it("a retry while generating joins the same generation", async () => {
    server = await startTestServer(driver, {
      CHATLOG_OFFLINE_DELAY_MS: "10",
      CHATLOG_OFFLINE_REPLY_WORDS: "40",
    });
    const [a, b] = await Promise.all([
      send(server.url, "c1", userMessage("u1", "together")),
      send(server.url, "c1", userMessage("u1", "together")),
    ]);
    expect(server.model?.calls).toBe(1);
    expect(a.message).toEqual(b.message);
    expect((await storedMessages(server.url, "c1"))[1]).toEqual(a.message);
  });

  it("resume after a client abort completes the reply; 204 once nothing is in flight", async () => {
    server = await startTestServer(driver, {
      CHATLOG_OFFLINE_DELAY_MS: "20",
      CHATLOG_OFFLINE_REPLY_WORDS: "60",
    });
    const abort = new AbortController();
    const stream = await transport(server.url).sendMessages({
      chatId: "c1",
      messages: [userMessage("u1", "tell me more")],
      trigger: "submit-message",
      messageId: undefined,
      abortSignal: abort.signal,
    });
    const reader = stream.getReader();
    const seen: string[] = [];
    while (seen.filter((t) => t === "text-delta").length < 5)
      seen.push((await reader.read()).value?.type ?? "");
    abort.abort();
    await reader.cancel().catch(() => {});

    const resumed = await transport(server.url).reconnectToStream({ chatId: "c1" });
    expect(resumed).not.toBeNull();
    const { message } = await collect(resumed!);
    const stored = await storedMessages(server.url, "c1");
    expect(stored[1]).toEqual(message);
    expect(message?.parts.at(-1)).toMatchObject({ type: "text", state: "done" });
    expect(JSON.stringify(message?.parts.at(-1) ?? {}).split(/\s+/).length).toBeGreaterThanOrEqual(60);
    expect(server.model?.calls).toBe(1);

    expect(await transport(server.url).reconnectToStream({ chatId: "c1" })).toBeNull();
    expect((await fetch(`${server.url}/api/chat/other/stream`)).status).toBe(204);
  });

  it("regenerate: a new reply to the same user message; the old one stays in the log only", async () => {
    server = await startTestServer(driver);
    const first = await send(server.url, "c1", userMessage("u1", "again please"));
    const regenerated = await send(server.url, "c1", userMessage("u1", "again please"), {
      trigger: "regenerate-message",
      messageId: first.message?.id,
    });
    expect(server.model?.calls).toBe(2);
    expect(regenerated.message?.id).not.toBe(first.message?.id);
    const stored = await storedMessages(server.url, "c1");
    expect(stored.map((m) => m.id)).toEqual(["u1", regenerated.message?.id]);
    expect(stored[1]).toEqual(regenerated.message);

    // Retried, the same regeneration replays (no third reply, no model call).
    const retried = await send(server.url, "c1", userMessage("u1", "again please"), {
      trigger: "regenerate-message",
      messageId: first.message?.id,
    });
    expect(server.model?.calls).toBe(2);
    expect(retried.message).toEqual(regenerated.message);

    const replies = await server.raw.query(
      "SELECT extra FROM chat_events WHERE type = 'assistant_message' ORDER BY seq",
    );
    expect(replies.map((r) => JSON.parse(String(r.extra)).message_id)).toEqual([
      first.message?.id,
      regenerated.message?.id,
    ]);
    const history = await jsonOf(await fetch(`${server.url}/v1/conversations/c1/history`));
    expect(history.events.filter((e: { type: string }) => e.type === "assistant_message")).toHaveLength(1);

    // The next turn's model input holds only the current reply.
    await send(server.url, "c1", userMessage("u2", "and now"));
    expect(server.model?.lastPrompt?.filter((m) => m.role === "assistant")).toHaveLength(1);
  });

  it("bad input is a JSON 4xx that writes nothing; the token guards /api as it guards /v1", async () => {
    server = await startTestServer(driver, { CHATLOG_API_TOKEN: "s3cret" });
    const auth = { "content-type": "application/json", authorization: "Bearer s3cret" };
    const post = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${server!.url}/api/chat`, { method: "POST", headers, body: JSON.stringify(body) });
    const cases: unknown[] = [
      { id: "c1" },
      { id: "c1", messages: [] },
      { id: "c1", messages: [{ id: "a1", role: "assistant", parts: [] }] },
      { id: "c1", messages: [userMessage("assistant:u1", "hi")] },
      { id: "c1", messages: [userMessage("u1", "   ")] },
      { id: "c1", messages: [userMessage("u1", "hi")], trigger: "nope" },
      { id: "c1", messages: [userMessage("u1", "hi")], extra: 1 },
      { id: "", messages: [userMessage("u1", "hi")] },
    ];
    for (const body of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await jsonOf(response)).error.code).toMatch(/INVALID/);
    }
    const unauthorized = await post(
      { id: "c1", messages: [userMessage("u1", "hi")] },
      { "content-type": "application/json" },
    );
    expect(unauthorized.status).toBe(401);
    expect((await fetch(`${server.url}/api/chat/c1/messages`)).status).toBe(401);
    expect(await server.raw.countRows()).toBe(0);
    const ok = await fetch(`${server.url}/api/chat/c1/messages`, { headers: auth });
    expect(await jsonOf(ok)).toEqual({ messages: [], nextCursor: null });
  });
});
