import { afterEach, describe, expect, it } from "vitest";
import { BETTER_SQLITE3, DRIVERS } from "./helpers/drivers.ts";
import { countRows, rawQuery } from "./helpers/raw-db.ts";
import { rawRequest } from "./helpers/raw-http.ts";
import { jsonOf, postTurn, runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(DRIVERS)("hostile ids on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("a request id that is not printable text answers 400 JSON and runs no turn", async () => {
    server = await startTestServer(driver);
    for (const requestId of [
      "nul\u0000id",
      "bell\u0007",
      "line\nbreak",
      "c1\u0085",
      "lone\ud800",
      "\udc00",
      "x".repeat(513),
    ]) {
      const response = await postTurn(server.url, "c1", { content: "hi", requestId });
      expect({ requestId: requestId.slice(0, 20), status: response.status }).toEqual({
        requestId: requestId.slice(0, 20),
        status: 400,
      });
      expect(response.headers.get("content-type")).toContain("application/json");
      expect((await jsonOf(response)).error.code).toBe("INVALID_ARGUMENT");
    }
    expect(countRows(server.file)).toBe(0);
    expect(server.model?.calls).toBe(0);
  });

  it("an emoji request id works, and its header echo is percent-encoded", async () => {
    server = await startTestServer(driver);
    const requestId = "🦜 parrot-1 %41";
    const response = await postTurn(server.url, "c1", { content: "hi", requestId });
    expect(response.status).toBe(200);
    const echoed = response.headers.get("x-chatlog-request-id");
    expect(echoed).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeURIComponent(echoed ?? "")).toBe(requestId);
    await response.text();
    const [row] = rawQuery(
      server.file,
      "SELECT json_extract(extra, '$.request_id') AS id FROM chat_events LIMIT 1",
    );
    expect(row?.id).toBe(requestId);
    // The retry finds it again.
    const retry = await runTurn(server.url, "c1", { content: "hi", requestId });
    expect(retry.start?.replay).toBe(true);
    expect(server.model?.calls).toBe(1);
  });

  it("ids in paths: control characters, bad UTF-8 and overlong segments answer 400 JSON", async () => {
    server = await startTestServer(driver);
    await runTurn(server.url, "c1", { content: "seed", requestId: "r1" });
    const before = countRows(server.file);
    const bad = [
      "c%00",
      "c%07",
      "c%0A",
      "%C2%85",

      "%ED%A0%80",
      "%zz",
      "%E0%A4%A",
      "c".repeat(600),
    ];
    for (const id of bad) {
      for (const [method, path] of [
        ["POST", `/v1/conversations/${id}/turns`],
        ["GET", `/v1/conversations/${id}/events`],
        ["GET", `/v1/conversations/${id}/history`],
        ["POST", `/v1/conversations/${id}/save`],
        ["GET", `/v1/saved/${id}`],
      ] as const) {
        const response = await rawRequest(server.url, path, {
          method,
          headers: { "content-type": "application/json" },
          body: method === "POST" ? JSON.stringify({ content: "hi", requestId: "r2" }) : undefined,
        });
        expect({ path: path.slice(0, 60), status: response.status }).toEqual({
          path: path.slice(0, 60),
          status: 400,
        });
        expect(response.headers["content-type"]).toContain("application/json");
        expect(response.json().error.code).toBe("INVALID_ARGUMENT");
      }
    }
    expect(countRows(server.file)).toBe(before);
    expect(server.model?.calls).toBe(1);

    const emoji = await runTurn(server.url, "😀-chat", { content: "hi", requestId: "r1" });
    expect(emoji.done?.content).toContain("You said: hi.");
    const events = await fetch(`${server.url}/v1/conversations/${encodeURIComponent("😀-chat")}/events`);
    expect((await jsonOf(events)).events).toHaveLength(2);
  });

  it("an Idempotency-Key that is not visible ASCII answers 400 JSON", async () => {
    server = await startTestServer(driver);
    // Node hands header bytes over as Latin-1: UTF-8 sent raw arrives garbled, so it is refused.
    for (const key of ["caf\u00e9", Buffer.from("🦜").toString("latin1"), "k".repeat(513)]) {
      const response = await rawRequest(server.url, "/v1/conversations/c1/turns", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify({ content: "hi" }),
      });
      expect(response.status).toBe(400);
      expect(response.json().error.code).toBe("INVALID_ARGUMENT");
    }
    expect(countRows(server.file)).toBe(0);
  });
});

describe("x-request-id", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("is on every response, the turn stream included, echoed only when it is a plain token", async () => {
    server = await startTestServer(BETTER_SQLITE3);
    const stream = await postTurn(server.url, "c1", {
      content: "hi",
      requestId: "r1",
      headers: { "x-request-id": "trace-42" },
    });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("x-request-id")).toBe("trace-42");
    await stream.text();
    const generated = await postTurn(server.url, "c1", { content: "hi", requestId: "r2" });
    expect(generated.headers.get("x-request-id")).toMatch(UUID);
    await generated.text();

    for (const hostile of ["caf\u00e9", "a b", "x".repeat(300)]) {
      const response = await rawRequest(server.url, "/v1/conversations", {
        headers: { "x-request-id": hostile },
      });
      expect(response.status).toBe(200);
      expect(response.headers["x-request-id"]).toMatch(UUID);
    }
    const error = await fetch(`${server.url}/v1/nothing`, { headers: { "x-request-id": "trace-43" } });
    expect(error.headers.get("x-request-id")).toBe("trace-43");
  });
});
