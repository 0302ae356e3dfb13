import { afterEach, describe, expect, it } from "vitest";
import { DRIVERS } from "./helpers/drivers.ts";
import { countRows } from "./helpers/raw-db.ts";
import { jsonOf, postTurn, runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

describe.each(DRIVERS)("HTTP edges on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("requires the bearer token on /v1 when CHATLOG_API_TOKEN is set, but not on /healthz", async () => {
    server = await startTestServer(driver, { CHATLOG_API_TOKEN: "s3cret" });
    const url = `${server.url}/v1/conversations`;

    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect((await jsonOf(none)).error.code).toBe("UNAUTHORIZED");
    const wrong = await fetch(url, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const right = await fetch(url, { headers: { authorization: "Bearer s3cret" } });
    expect(right.status).toBe(200);
    expect(await jsonOf(right)).toEqual({ conversations: [], nextCursor: null });

    const turnNoToken = await postTurn(server.url, "c1", { content: "hi", requestId: "r1" });
    expect(turnNoToken.status).toBe(401);
    expect(countRows(server.file)).toBe(0);
    const turn = await runTurn(server.url, "c1", {
      content: "hi",
      requestId: "r1",
      headers: { authorization: "Bearer s3cret" },
    });
    expect(turn.done?.content).toContain("You said: hi.");

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await jsonOf(health)).toMatchObject({ ok: true, model: "offline" });
  });

  it("answers bad turn input with a 4xx JSON error and writes nothing", async () => {
    server = await startTestServer(driver, { CHATLOG_MAX_BODY_BYTES: "1024" });
    await runTurn(server.url, "c1", { content: "seed", requestId: "seed" });
    const before = countRows(server.file);

    const cases: { body: string; status: number; code: string; id?: string }[] = [
      { body: "{not json", status: 400, code: "INVALID_JSON" },
      { body: "", status: 400, code: "INVALID_JSON" },
      { body: "[1,2]", status: 400, code: "INVALID_JSON" },
      { body: JSON.stringify({ content: 42 }), status: 400, code: "INVALID_ARGUMENT" },
      { body: JSON.stringify({ content: ["a"] }), status: 400, code: "INVALID_ARGUMENT" },
      { body: JSON.stringify({}), status: 400, code: "INVALID_ARGUMENT" },
      { body: JSON.stringify({ content: "   " }), status: 400, code: "INVALID_ARGUMENT" },
      { body: JSON.stringify({ content: "hi", requestId: 7 }), status: 400, code: "INVALID_ARGUMENT" },
      { body: JSON.stringify({ content: "hi", requestId: "" }), status: 400, code: "INVALID_ARGUMENT" },
      { body: JSON.stringify({ content: "hi", extra: true }), status: 400, code: "INVALID_ARGUMENT" },
      { body: JSON.stringify({ content: "x".repeat(2000) }), status: 413, code: "PAYLOAD_TOO_LARGE" },
      { body: JSON.stringify({ content: "hi" }), status: 400, code: "INVALID_ARGUMENT", id: "c".repeat(600) },
    ];
    for (const c of cases) {
      const response = await postTurn(server.url, c.id ?? "c1", { body: c.body });
      expect({ body: c.body.slice(0, 40), status: response.status }).toEqual({
        body: c.body.slice(0, 40),
        status: c.status,
      });
      expect(response.headers.get("content-type")).toContain("application/json");
      expect((await jsonOf(response)).error.code).toBe(c.code);
    }
    expect(countRows(server.file)).toBe(before);
    expect(server.model?.calls).toBe(1);

    // A 413 says the limit, so a client can tell the person how long a message may be.
    const tooLarge = await postTurn(server.url, "c1", {
      body: JSON.stringify({ content: "x".repeat(2000) }),
    });
    expect((await jsonOf(tooLarge)).error).toEqual({
      code: "PAYLOAD_TOO_LARGE",
      message: "the request body exceeds 1024 bytes",
      maxBytes: 1024,
    });
  });

  it("answers unknown routes and bad query parameters with JSON errors", async () => {
    server = await startTestServer(driver);
    const unknown = await fetch(`${server.url}/v1/nothing-here`);
    expect(unknown.status).toBe(404);
    expect((await jsonOf(unknown)).error.code).toBe("NOT_FOUND");
    const wrongMethod = await fetch(`${server.url}/v1/conversations/c1/turns`);
    expect(wrongMethod.status).toBe(404);
    const badLimit = await fetch(`${server.url}/v1/conversations?limit=abc`);
    expect(badLimit.status).toBe(400);
    expect((await jsonOf(badLimit)).error.code).toBe("INVALID_ARGUMENT");
    const badCursor = await fetch(`${server.url}/v1/conversations?cursor=%%%`);
    expect(badCursor.status).toBe(400);
    const badSeq = await fetch(`${server.url}/v1/conversations/c1/events?afterSeq=-1`);
    expect(badSeq.status).toBe(400);
  });
});
