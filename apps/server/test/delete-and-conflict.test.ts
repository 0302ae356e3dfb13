import { afterEach, describe, expect, it } from "vitest";
import { DRIVERS } from "./helpers/drivers.ts";
import { countRows, rawQuery } from "./helpers/raw-db.ts";
import { rawRequest } from "./helpers/raw-http.ts";
import { jsonOf, postTurn, runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const JSON_TYPE = { "content-type": "application/json" };

describe.each(DRIVERS)("DELETE and request-id conflicts on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("DELETE /v1/conversations/{id} erases its events, summary and saved snapshots, and nothing else", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "gone", { content: "erase me", requestId: "r1" });
    await runTurn(server.url, "kept", { content: "keep me", requestId: "r1" });
    const save = await fetch(`${server.url}/v1/conversations/gone/save`, {
      method: "POST",
      headers: JSON_TYPE,
    });
    const { savedId } = await jsonOf(save);
    const keptBefore = countRows(server.file, "conversation_id = 'kept'");

    const deleted = await fetch(`${server.url}/v1/conversations/gone`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await jsonOf(deleted)).toEqual({ deletedEvents: 2, deletedSavedSessions: 1 });
    expect(countRows(server.file, "conversation_id = 'gone'")).toBe(0);
    expect(rawQuery(server.file, "SELECT * FROM chat_conversations WHERE conversation_id = 'gone'")).toEqual(
      [],
    );
    expect(rawQuery(server.file, "SELECT * FROM chat_saved_sessions")).toEqual([]);
    expect(countRows(server.file, "conversation_id = 'kept'")).toBe(keptBefore);
    expect((await fetch(`${server.url}/v1/saved/${savedId}`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/conversations/gone/events`)).status).toBe(404);

    const again = await fetch(`${server.url}/v1/conversations/gone`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect((await jsonOf(again)).error.code).toBe("NOT_FOUND");
  });

  it("DELETE /v1/saved/{id} removes that snapshot only; the conversation stays; unknown ids are 404", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "c1", { content: "keep my events", requestId: "r1" });
    const save = () =>
      fetch(`${server!.url}/v1/conversations/c1/save`, { method: "POST", headers: JSON_TYPE });
    const { savedId: gone } = await jsonOf(await save());
    const { savedId: kept } = await jsonOf(await save());
    const events = countRows(server.file, "conversation_id = 'c1'");

    const deleted = await fetch(`${server.url}/v1/saved/${gone}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await jsonOf(deleted)).toEqual({ savedId: gone, deleted: true });
    expect((await fetch(`${server.url}/v1/saved/${gone}`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/saved/${kept}`)).status).toBe(200);
    expect(rawQuery(server.file, "SELECT id FROM chat_saved_sessions")).toEqual([{ id: kept }]);
    expect(countRows(server.file, "conversation_id = 'c1'")).toBe(events);

    const again = await fetch(`${server.url}/v1/saved/${gone}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect((await jsonOf(again)).error.code).toBe("NOT_FOUND");
    const hostile = await fetch(`${server.url}/v1/saved/${encodeURIComponent("a\u0000b")}`, {
      method: "DELETE",
    });
    expect(hostile.status).toBe(400);
    expect((await jsonOf(hostile)).error.code).toBe("INVALID_ARGUMENT");
    const foreign = await rawRequest(server.url, `/v1/saved/${kept}`, {
      method: "DELETE",
      headers: { origin: "http://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(rawQuery(server.file, "SELECT id FROM chat_saved_sessions")).toEqual([{ id: kept }]);
  });

  it("DELETE from another origin, or with a non-JSON body, is refused and erases nothing", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "c1", { content: "hello", requestId: "r1" });
    const foreign = await rawRequest(server.url, "/v1/conversations/c1", {
      method: "DELETE",
      headers: { origin: "http://evil.example" },
    });
    expect(foreign.status).toBe(403);
    const plain = await rawRequest(server.url, "/v1/conversations/c1", {
      method: "DELETE",
      // node:http frames no DELETE body by itself: say its length.
      headers: { "content-type": "text/plain", "content-length": "1" },
      body: "x",
    });
    expect(plain.status, plain.body).toBe(415);
    expect(countRows(server.file, "conversation_id = 'c1'")).toBe(2);
  });

  it("a request id reused with different content answers 409 REQUEST_ID_CONFLICT before streaming", async () => {
    server = await startTestServer(driver);
    const first = await runTurn(server.url, "c1", { content: "hello", requestId: "r1" });
    expect(first.done?.content).toContain("You said: hello.");
    const before = countRows(server.file);

    const reused = await postTurn(server.url, "c1", { content: "something else", requestId: "r1" });
    expect(reused.status).toBe(409);
    expect(reused.headers.get("content-type")).toContain("application/json");
    expect((await jsonOf(reused)).error.code).toBe("REQUEST_ID_CONFLICT");
    expect(countRows(server.file)).toBe(before);
    expect(server.model?.calls).toBe(1);

    // The same content is still a retry that replays the stored reply.
    const retry = await runTurn(server.url, "c1", { content: "hello", requestId: "r1" });
    expect(retry.start?.replay).toBe(true);
    expect(retry.done?.content).toBe(first.done?.content);
  });

  it("a request id in chatlog's own key namespace answers 400 JSON and runs no turn", async () => {
    server = await startTestServer(driver);
    for (const requestId of ["assistant:r9", "tool_call:x"]) {
      const response = await postTurn(server.url, "c1", { content: "hi", requestId });
      expect(response.status).toBe(400);
      expect((await jsonOf(response)).error.code).toBe("INVALID_ARGUMENT");
    }
    expect(countRows(server.file)).toBe(0);
    expect(server.model?.calls).toBe(0);
  });
});
