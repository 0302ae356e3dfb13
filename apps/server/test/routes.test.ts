import { afterEach, describe, expect, it } from "vitest";
import { DRIVERS } from "./helpers/drivers.ts";
import { countRows } from "./helpers/raw-db.ts";
import { type Json, jsonOf, runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const JSON_TYPE = { "content-type": "application/json" };

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await jsonOf(response) };
}

describe.each(DRIVERS)("read, clear and save routes on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("lists conversations newest activity first, paged by cursor", async () => {
    server = await startTestServer(driver);
    for (const id of ["a", "b", "c"]) await runTurn(server.url, id, { content: `hi ${id}`, requestId: "r1" });

    const first = await getJson(`${server.url}/v1/conversations?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual([
      "c",
      "b",
    ]);
    expect(first.body.conversations[0]).toMatchObject({ eventCount: 2 });
    expect(typeof first.body.nextCursor).toBe("string");
    const second = await getJson(
      `${server.url}/v1/conversations?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual(["a"]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("pages events forward with afterSeq and backward with beforeSeq", async () => {
    server = await startTestServer(driver);
    for (let i = 1; i <= 3; i++)
      await runTurn(server.url, "c1", { content: `message ${i}`, requestId: `r${i}` });
    const all = await getJson(`${server.url}/v1/conversations/c1/events`);
    expect(all.body.events.map((e: { type: string }) => e.type)).toEqual([
      "user_message",
      "assistant_message",
      "user_message",
      "assistant_message",
      "user_message",
      "assistant_message",
    ]);
    const seqs: number[] = all.body.events.map((e: { seq: number }) => e.seq);

    const collected: number[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page: { body: { events: { seq: number }[]; nextAfterSeq: number | null } } = await getJson(
        `${server.url}/v1/conversations/c1/events?afterSeq=${after}&limit=4`,
      );
      collected.push(...page.body.events.map((e) => e.seq));
      after = page.body.nextAfterSeq;
    }
    expect(collected).toEqual(seqs);

    const back = await getJson(`${server.url}/v1/conversations/c1/events?beforeSeq=${seqs[4]}&limit=2`);
    expect(back.body.events.map((e: { seq: number }) => e.seq)).toEqual([seqs[2], seqs[3]]);
    expect(back.body.prevBeforeSeq).toBe(seqs[2]);

    const missing = await getJson(`${server.url}/v1/conversations/nobody/events`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("NOT_FOUND");
  });

  it("returns the LLM-visible history, most recent when limited", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "c1", { content: "calculate 1 + 1", requestId: "r1" });
    await runTurn(server.url, "c1", { content: "thanks", requestId: "r2" });
    const history = await getJson(`${server.url}/v1/conversations/c1/history`);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
      "user_message",
      "tool_call",
      "tool_result",
      "assistant_message",
      "user_message",
      "assistant_message",
    ]);
    const recent = await getJson(`${server.url}/v1/conversations/c1/history?limit=2`);
    expect(recent.body.events.map((e: { content: string }) => e.content)).toEqual([
      "thanks",
      history.body.events[5].content,
    ]);
    expect((await getJson(`${server.url}/v1/conversations/none/history`)).status).toBe(404);
  });

  it("saves a session, lists it, loads its events, and keeps it through a clear", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "keep", { content: "remember this", requestId: "r1" });
    await runTurn(server.url, "drop", { content: "forget this", requestId: "r1" });

    const saved = await getJson(`${server.url}/v1/conversations/keep/save`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ name: "kept" }),
    });
    expect(saved.status).toBe(201);
    const { savedId } = saved.body;
    const list = await getJson(`${server.url}/v1/saved`);
    expect(list.body.saved).toEqual([
      expect.objectContaining({ id: savedId, conversationId: "keep", name: "kept", messageCount: 2 }),
    ]);
    const loaded = await getJson(`${server.url}/v1/saved/${savedId}`);
    expect(loaded.body.events.map((e: { content: string }) => e.content)[0]).toBe("remember this");

    const clear = await getJson(`${server.url}/v1/clear`, { method: "POST", headers: JSON_TYPE });
    expect(clear.body).toEqual({ wiped: true });
    expect(countRows(server.file, "conversation_id = 'drop'")).toBe(0);
    expect(countRows(server.file, "conversation_id = 'keep'")).toBe(2);

    const unnamed = await getJson(`${server.url}/v1/conversations/keep/save`, {
      method: "POST",
      headers: JSON_TYPE,
    });
    expect(unnamed.status).toBe(201);
    const empty = await getJson(`${server.url}/v1/conversations/nothing/save`, {
      method: "POST",
      headers: JSON_TYPE,
    });
    expect(empty.status).toBe(404);
    expect(empty.body.error.code).toBe("EMPTY_CONVERSATION");
    const badName = await getJson(`${server.url}/v1/conversations/keep/save`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ name: 5 }),
    });
    expect(badName.status).toBe(400);
    const unknownSaved = await getJson(`${server.url}/v1/saved/does-not-exist`);
    expect(unknownSaved.status).toBe(404);
  });
});
