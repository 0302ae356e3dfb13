import { afterEach, describe, expect, it } from "vitest";
import { DRIVERS } from "./helpers/drivers.ts";
import { rawQuery } from "./helpers/raw-db.ts";
import { rawRequest } from "./helpers/raw-http.ts";
import { jsonOf, runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const JSON_TYPE = { "content-type": "application/json" };

describe.each(DRIVERS)("PATCH /v1/conversations/{id} (rename) on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  const patch = (id: string, body: string, headers: Record<string, string> = JSON_TYPE) =>
    fetch(`${server?.url}/v1/conversations/${encodeURIComponent(id)}`, { method: "PATCH", headers, body });
  const titles = async () => {
    const page = await jsonOf(await fetch(`${server?.url}/v1/conversations`));
    return Object.fromEntries(
      (page.conversations as { conversationId: string; title: string | null }[]).map((c) => [
        c.conversationId,
        c.title,
      ]),
    );
  };
  const storedTitle = (id: string) =>
    rawQuery(server?.file ?? "", `SELECT title FROM chat_conversations WHERE conversation_id = '${id}'`)[0]
      ?.title;

  it("stores the title, which the list returns instead of the first message's; null takes it back", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "c1", { content: "What time is it?", requestId: "r1" });
    await runTurn(server.url, "c2", { content: "Other", requestId: "r1" });
    expect(await titles()).toEqual({ c1: "What time is it?", c2: "Other" });

    const renamed = await patch("c1", JSON.stringify({ title: "Clock questions" }));
    expect(renamed.status).toBe(200);
    expect(await jsonOf(renamed)).toEqual({ conversationId: "c1", title: "Clock questions" });
    expect(storedTitle("c1")).toBe("Clock questions");
    expect(await titles()).toEqual({ c1: "Clock questions", c2: "Other" });

    const cleared = await patch("c1", JSON.stringify({ title: null }));
    expect(cleared.status).toBe(200);
    expect(await titles()).toEqual({ c1: "What time is it?", c2: "Other" });
  });

  it("answers 404 for an unknown conversation and 400 for a bad body, writing nothing", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "c1", { content: "hello", requestId: "r1" });
    await patch("c1", JSON.stringify({ title: "Kept" }));

    const unknown = await patch("nope", JSON.stringify({ title: "x" }));
    expect(unknown.status).toBe(404);
    expect((await jsonOf(unknown)).error.code).toBe("NOT_FOUND");
    expect(rawQuery(server.file, "SELECT * FROM chat_conversations WHERE conversation_id = 'nope'")).toEqual(
      [],
    );

    for (const body of [
      "{}",
      JSON.stringify({ title: "" }),
      JSON.stringify({ title: "   " }),
      JSON.stringify({ title: "x".repeat(121) }),
      JSON.stringify({ title: "two\nlines" }),
      JSON.stringify({ title: 7 }),
      JSON.stringify({ title: "ok", extra: 1 }),
      "not json",
      "[]",
    ]) {
      const res = await patch("c1", body);
      expect(res.status, body).toBe(400);
      expect((await jsonOf(res)).error.code).toMatch(/^(INVALID_ARGUMENT|INVALID_JSON)$/);
    }
    const plain = await patch("c1", JSON.stringify({ title: "x" }), { "content-type": "text/plain" });
    expect(plain.status).toBe(415);
    const foreign = await rawRequest(server.url, "/v1/conversations/c1", {
      method: "PATCH",
      headers: { ...JSON_TYPE, origin: "http://evil.example" },
      body: JSON.stringify({ title: "evil" }),
    });
    expect(foreign.status).toBe(403);
    expect(storedTitle("c1")).toBe("Kept");
  });
});
