import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { spawnServer } from "./helpers/child-server.ts";
import { BETTER_SQLITE3, DRIVERS, type DriverCase } from "./helpers/drivers.ts";
import { countRows } from "./helpers/raw-db.ts";
import { rawRequest } from "./helpers/raw-http.ts";
import { runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const JSON_TYPE = { "content-type": "application/json" };
const EVIL = "http://evil.example";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.dispose();
  server = undefined;
});

/** A conversation with one finished turn, so a wipe would show. */
async function seeded(
  driver: DriverCase = BETTER_SQLITE3,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const s = await startTestServer(driver, env);
  const headers: Record<string, string> =
    env.CHATLOG_API_TOKEN === undefined ? {} : { authorization: `Bearer ${env.CHATLOG_API_TOKEN}` };
  const turn = await runTurn(s.url, "c1", { content: "hello", requestId: "r1", headers });
  expect(turn.done?.content).toContain("You said: hello.");
  return s;
}

describe.each(DRIVERS)("cross-site writes are refused on $name", (driver) => {
  it("a text/plain (or form, or untyped) POST to /v1/clear answers 415 JSON and wipes nothing", async () => {
    server = await seeded(driver);
    const before = countRows(server.file);
    for (const contentType of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      undefined,
    ]) {
      const response = await rawRequest(server.url, "/v1/clear", {
        method: "POST",
        headers: contentType === undefined ? {} : { "content-type": contentType },
        body: "{}",
      });
      expect({ contentType, status: response.status }).toEqual({ contentType, status: 415 });
      expect(response.headers["content-type"]).toContain("application/json");
      expect(response.json().error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    expect(countRows(server.file)).toBe(before);

    // The same request typed as JSON is the real clear.
    const clear = await fetch(`${server.url}/v1/clear`, { method: "POST", headers: JSON_TYPE });
    expect(clear.status).toBe(200);
    expect(countRows(server.file)).toBe(0);
  });

  it("a POST from another origin answers 403 JSON, plants no turn and wipes nothing", async () => {
    server = await seeded(driver);
    const before = countRows(server.file);
    const clear = await rawRequest(server.url, "/v1/clear", {
      method: "POST",
      headers: { ...JSON_TYPE, origin: EVIL },
    });
    expect(clear.status).toBe(403);
    expect(clear.json().error.code).toBe("FORBIDDEN_ORIGIN");
    const planted = await rawRequest(server.url, "/v1/conversations/c1/turns", {
      method: "POST",
      headers: { "content-type": "text/plain", origin: EVIL },
      body: JSON.stringify({ content: "planted", requestId: "evil-1" }),
    });
    expect(planted.status).toBe(403);
    const plantedJson = await rawRequest(server.url, "/v1/conversations/c1/turns", {
      method: "POST",
      headers: { ...JSON_TYPE, origin: "null" },
      body: JSON.stringify({ content: "planted", requestId: "evil-2" }),
    });
    expect(plantedJson.status).toBe(403);
    expect(countRows(server.file)).toBe(before);
    expect(server.model?.calls).toBe(1);
  });
});

describe("origin policy", () => {
  it("refuses reads from other origins but serves the server's own origin and non-browser clients", async () => {
    server = await seeded();
    const foreign = await rawRequest(server.url, "/v1/conversations", { headers: { origin: EVIL } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers["content-type"]).toContain("application/json");
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    // A sibling port on the same host is another origin too.
    const port = new URL(server.url).port;
    const sibling = await rawRequest(server.url, "/v1/conversations", {
      headers: { origin: `http://127.0.0.1:${Number(port) + 1}` },
    });
    expect(sibling.status).toBe(403);

    const own = await rawRequest(server.url, "/v1/conversations", { headers: { origin: server.url } });
    expect(own.status).toBe(200);
    expect(own.headers.vary).toContain("Origin");
    const viaLocalhost = await rawRequest(server.url, "/v1/conversations", {
      headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` },
    });
    expect(viaLocalhost.status).toBe(200);
    // The web page (served same-origin at /) posts with its own Origin: allowed.
    const turn = await rawRequest(server.url, "/v1/conversations/c2/turns", {
      method: "POST",
      headers: { ...JSON_TYPE, origin: server.url },
      body: JSON.stringify({ content: "from the page", requestId: "p1" }),
    });
    expect(turn.status).toBe(200);
    expect(turn.body).toContain("event: done");
    const curl = await rawRequest(server.url, "/v1/conversations");
    expect(curl.status).toBe(200);
  });

  it("compares the scheme too: https:// with the server's own host and port is another origin", async () => {
    server = await seeded();
    const { host } = new URL(server.url);
    const before = countRows(server.file);
    const read = await rawRequest(server.url, "/v1/conversations", {
      headers: { origin: `https://${host}` },
    });
    expect(read.status).toBe(403);
    expect(JSON.parse(read.body)).toMatchObject({ error: { code: "FORBIDDEN_ORIGIN" } });
    const planted = await rawRequest(server.url, "/v1/conversations/c9/turns", {
      method: "POST",
      headers: { ...JSON_TYPE, origin: `https://${host}` },
      body: JSON.stringify({ content: "from a TLS page", requestId: "tls1" }),
    });
    expect(planted.status).toBe(403);
    expect(countRows(server.file)).toBe(before);
    // The same host and port over plain HTTP is the server itself.
    const own = await rawRequest(server.url, "/v1/conversations", { headers: { origin: `http://${host}` } });
    expect(own.status).toBe(200);
  });

  it("answers CORS preflights for CHATLOG_CORS_ORIGINS, before auth, and marks their responses", async () => {
    const app = "https://app.example";
    server = await seeded(BETTER_SQLITE3, {
      CHATLOG_CORS_ORIGINS: ` ${app}/ , http://other.example:8080`,
      CHATLOG_API_TOKEN: "s3cret",
    });
    const preflight = await rawRequest(server.url, "/v1/conversations/c1/turns", {
      method: "OPTIONS",
      headers: {
        origin: app,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe(app);
    const methods = String(preflight.headers["access-control-allow-methods"]).split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(["GET", "POST", "DELETE"]));
    const headers = String(preflight.headers["access-control-allow-headers"]).split(/,\s*/);
    expect(headers).toEqual(expect.arrayContaining(["authorization", "content-type", "idempotency-key"]));
    expect(preflight.headers.vary).toContain("Origin");
    expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();

    const list = await rawRequest(server.url, "/v1/conversations", {
      headers: { origin: app, authorization: "Bearer s3cret" },
    });
    expect(list.status).toBe(200);
    expect(list.headers["access-control-allow-origin"]).toBe(app);
    expect(list.headers.vary).toContain("Origin");
    expect(String(list.headers["access-control-expose-headers"])).toContain("x-request-id");
    // An allowed origin still needs the token; the 401 carries the CORS headers so the page can read it.
    const noToken = await rawRequest(server.url, "/v1/conversations", { headers: { origin: app } });
    expect(noToken.status).toBe(401);
    expect(noToken.headers["access-control-allow-origin"]).toBe(app);
    const turn = await rawRequest(server.url, "/v1/conversations/c1/turns", {
      method: "POST",
      headers: { ...JSON_TYPE, origin: "http://other.example:8080", authorization: "Bearer s3cret" },
      body: JSON.stringify({ content: "cross-origin turn", requestId: "x1" }),
    });
    expect(turn.status).toBe(200);
    expect(turn.headers["access-control-allow-origin"]).toBe("http://other.example:8080");
    expect(turn.body).toContain("event: done");

    const refused = await rawRequest(server.url, "/v1/conversations/c1/turns", {
      method: "OPTIONS",
      headers: { origin: EVIL, "access-control-request-method": "POST" },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
    expect(refused.json().error.code).toBe("FORBIDDEN_ORIGIN");
  });

  it("rejects malformed CHATLOG_CORS_ORIGINS at start", () => {
    for (const bad of [
      "app.example",
      "https://app.example/path",
      "ftp://x.example",
      "null",
      "https://u:p@x.example",
    ]) {
      expect(() => loadConfig({ CHATLOG_CORS_ORIGINS: bad })).toThrow(/CHATLOG_CORS_ORIGINS/);
    }
    expect(
      loadConfig({ CHATLOG_CORS_ORIGINS: "HTTPS://App.Example:443, http://x.example:80" }).corsOrigins,
    ).toEqual(["https://app.example", "http://x.example"]);
  });
});

describe("every path prefix is guarded, not only /v1", () => {
  it("/api/* and the web page get the same content-type, origin, host and auth checks", async () => {
    server = await seeded(BETTER_SQLITE3, { CHATLOG_API_TOKEN: "s3cret" });
    const port = new URL(server.url).port;
    const auth = { authorization: "Bearer s3cret" };
    for (const path of ["/api/chat", "/api/anything/else", "/"]) {
      const plain = await rawRequest(server.url, path, {
        method: "POST",
        headers: { ...auth, "content-type": "text/plain" },
        body: "{}",
      });
      expect({ path, status: plain.status }).toEqual({ path, status: 415 });
      const foreign = await rawRequest(server.url, path, { headers: { ...auth, origin: EVIL } });
      expect({ path, status: foreign.status }).toEqual({ path, status: 403 });
      const rebound = await rawRequest(server.url, path, {
        headers: { ...auth, host: `evil.example:${port}` },
      });
      expect({ path, status: rebound.status }).toEqual({ path, status: 403 });
    }
    // The API prefixes need the token; the page itself does not (it is only a page).
    expect((await rawRequest(server.url, "/api/chat")).status).toBe(401);
    expect((await rawRequest(server.url, "/", { headers: { origin: server.url } })).status).not.toBe(401);
  });
});

describe("Host header check on a loopback-bound server (DNS rebinding)", () => {
  it("answers only to localhost, 127.0.0.1 and [::1] with its own port", async () => {
    server = await seeded();
    const port = new URL(server.url).port;
    const before = countRows(server.file);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const response = await rawRequest(server.url, "/v1/conversations", { headers: { host } });
      expect({ host, status: response.status }).toEqual({ host, status: 200 });
    }
    for (const host of [
      `evil.example:${port}`,
      "evil.example",
      `localhost:${Number(port) + 1}`,
      "localhost",
      `127.0.0.1.evil.example:${port}`,
      "",
    ]) {
      const response = await rawRequest(server.url, "/v1/conversations", { headers: { host } });
      expect({ host, status: response.status }).toEqual({ host, status: 403 });
      expect(response.json().error.code).toBe("FORBIDDEN_HOST");
    }
    // A rebound page is same-origin with itself: Origin and Host agree, and the write is still refused.
    const rebound = await rawRequest(server.url, "/v1/clear", {
      method: "POST",
      headers: { ...JSON_TYPE, host: `evil.example:${port}`, origin: `http://evil.example:${port}` },
    });
    expect(rebound.status).toBe(403);
    const health = await rawRequest(server.url, "/healthz", { headers: { host: `evil.example:${port}` } });
    expect(health.status).toBe(403);
    expect(countRows(server.file)).toBe(before);
  });

  it("does not check Host when bound beyond loopback", async () => {
    server = await startTestServer(BETTER_SQLITE3, { HOST: "0.0.0.0" });
    const response = await rawRequest(server.url, "/v1/conversations", {
      headers: { host: "chat.internal.example" },
    });
    expect(response.status).toBe(200);
  });
});

describe("auth settings", () => {
  it("an empty or blank CHATLOG_API_TOKEN is a configuration error, not auth off", async () => {
    for (const token of ["", "   "]) {
      expect(() => loadConfig({ CHATLOG_API_TOKEN: token })).toThrow(ConfigError);
      expect(() => loadConfig({ CHATLOG_API_TOKEN: token })).toThrow(/CHATLOG_API_TOKEN/);
    }
    expect(loadConfig({}).apiToken).toBeUndefined();
    const child = await spawnServer({ CHATLOG_API_TOKEN: "", DATABASE_URL: ":memory:" }).catch(
      (error: Error) => error,
    );
    expect(child).toBeInstanceOf(Error);
    expect(String(child)).toMatch(/exited with 2/);
    expect(String(child)).toContain("CHATLOG_API_TOKEN");
  });

  it("the listening line says whether auth is on", async () => {
    for (const [env, auth] of [
      [{ CHATLOG_API_TOKEN: "s3cret" }, "bearer-token"],
      [{}, "off"],
    ] as const) {
      const child = await spawnServer({ ...env, DATABASE_URL: ":memory:" });
      try {
        const line = child.lines.map((l) => JSON.parse(l)).find((l) => l.msg === "listening");
        expect(line).toMatchObject({ auth, corsOrigins: [] });
      } finally {
        child.child.kill("SIGTERM");
        await child.exited;
      }
    }
  });
});
