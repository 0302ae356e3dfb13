import { afterEach, describe, expect, it } from "vitest";
import { send, storedMessages, userMessage } from "./helpers/ai-chat.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { rawQuery } from "./helpers/raw-db.ts";
import { jsonOf, postTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const eventCount = (file: string) => Number(rawQuery(file, "SELECT COUNT(*) AS n FROM chat_events")[0]?.n);

/** Issue 15, defects 4 and 6: a message id belongs to its first writer; only the last reply is regenerated. */
describe.each(DRIVERS)("message ids and regeneration on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("a user message may not take an assistant message's id: 409 REQUEST_ID_CONFLICT on both protocols, nothing written", async () => {
    server = await startTestServer(driver);
    const { message: reply } = await send(server.url, "c1", userMessage("u1", "hello"));
    const replyId = reply?.id as string;
    const before = eventCount(server.file);
    const post = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "c1", messages: [userMessage(replyId, "I am the reply now")] }),
    });
    expect(post.status).toBe(409);
    expect((await jsonOf(post)).error.code).toBe("REQUEST_ID_CONFLICT");
    const v1 = await postTurn(server.url, "c1", { content: "me too", requestId: replyId });
    expect(v1.status).toBe(409);
    expect((await jsonOf(v1)).error.code).toBe("REQUEST_ID_CONFLICT");
    expect(eventCount(server.file)).toBe(before);
    const ids = (await storedMessages(server.url, "c1")).map((m) => m.id);
    expect(ids).toEqual(["u1", replyId]);
    expect(server.model?.calls).toBe(1);
  });

  it("regenerating a reply that is not the last is 409 NOT_LAST_REPLY; the last one regenerates in place, and page, /messages, history and model input agree", async () => {
    server = await startTestServer(driver);
    const b1 = await send(server.url, "c1", userMessage("b1", "first question"));
    const b2 = await send(server.url, "c1", userMessage("b2", "second question"));
    const before = eventCount(server.file);

    const refused = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: "c1",
        messages: [userMessage("b1", "first question")],
        trigger: "regenerate-message",
        messageId: b1.message?.id,
      }),
    });
    expect(refused.status).toBe(409);
    expect((await jsonOf(refused)).error.code).toBe("NOT_LAST_REPLY");
    expect(eventCount(server.file)).toBe(before);
    expect(server.model?.calls).toBe(2);

    const again = await send(server.url, "c1", userMessage("b2", "second question"), {
      trigger: "regenerate-message",
      messageId: b2.message?.id,
    });
    expect(server.model?.calls).toBe(3);
    // After a reload: the page's messages are /messages; history and model input follow the same order.
    const page = await storedMessages(server.url, "c1");
    expect(page.map((m) => m.id)).toEqual(["b1", b1.message?.id, "b2", again.message?.id]);
    expect(page[3]).toEqual(again.message);
    const history = await jsonOf(await fetch(`${server.url}/v1/conversations/c1/history`));
    const order = history.events.map((e: { type: string; extra: Record<string, unknown> }) =>
      e.type === "user_message"
        ? e.extra.request_id
        : e.type === "assistant_message"
          ? e.extra.message_id
          : null,
    );
    expect(order.filter((x: unknown) => x !== null)).toEqual(["b1", b1.message?.id, "b2", again.message?.id]);
    await send(server.url, "c1", userMessage("b3", "third question"));
    const prompt = server.model?.lastPrompt ?? [];
    expect(prompt.map((m) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "user"]);
  });
});
