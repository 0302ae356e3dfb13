import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BETTER_SQLITE3 } from "./helpers/drivers.ts";
import { rawQuery } from "./helpers/raw-db.ts";
import { rawRequest } from "./helpers/raw-http.ts";
import { runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

/**
 * Random requests against a real server: methods, paths, ids, query strings, bodies and the
 * headers a browser or an attacker controls. Whatever comes in, the answer is never a 5xx, every
 * error is a JSON `{ error: { code, message } }`, and a rejected request leaves the database
 * exactly as it was. Bounded runs so CI stays fast; FUZZ_RUNS=2000 for a longer local hunt.
 *
 * better-sqlite3 only: the state snapshot is read with better-sqlite3 in this process, which is
 * unsafe against a file the libSQL driver holds open here (two SQLite copies do not share POSIX
 * locks); the HTTP layer under test is the same for both drivers.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

let server: TestServer;
let port: string;
let savedId: string;
/** How the runs were answered, printed at the end so a run shows what it reached. */
const statuses = new Map<number, number>();

beforeAll(async () => {
  // One allowed cross origin, so preflights and CORS answers are in the mix too.
  server = await startTestServer(BETTER_SQLITE3, { CHATLOG_CORS_ORIGINS: "http://localhost:1" });
  port = new URL(server.url).port;
  await runTurn(server.url, "seed", { content: "calculate 2 * (3 + 4)", requestId: "r1" });
  await runTurn(server.url, "seed", { content: "hello there", requestId: "r2" });
  const save = await rawRequest(server.url, "/v1/conversations/seed/save", {
    method: "POST",
    headers: { "content-type": "application/json" },
  });
  savedId = save.json().savedId;
});
afterAll(async () => {
  console.log("fuzz statuses:", Object.fromEntries([...statuses].sort(([a], [b]) => a - b)));
  await server.dispose();
});

/** Everything a request could change, as one comparable string. */
function snapshot(): string {
  return JSON.stringify([
    rawQuery(server.file, "SELECT * FROM chat_events ORDER BY conversation_id, seq"),
    rawQuery(server.file, "SELECT * FROM chat_conversations ORDER BY conversation_id"),
    rawQuery(server.file, "SELECT * FROM chat_saved_sessions ORDER BY id"),
  ]);
}

// Header values node:http will send: Latin-1 without control characters.
const headerText = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 40,
});

// Ids: ordinary, emoji, control characters, lone surrogates (binary units), overlong, reserved.
const id = fc.oneof(
  fc.constantFrom("seed", "other", "😀", "assistant:r1", "tool_call:x", "a b", "..", "x".repeat(513)),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);

/** An id as it appears in a path: percent-encoded, or raw %XX bytes that may not be UTF-8. */
const pathSegment = fc.oneof(
  id.map((value) => {
    try {
      return encodeURIComponent(value);
    } catch {
      return "%ED%A0%80"; // a lone surrogate cannot be encoded; send its (invalid) UTF-8 bytes
    }
  }),
  fc
    .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 })
    .map((bytes) => bytes.map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")),
  fc.constantFrom("%", "%zz", "%E0%A4%A"),
);

const path = fc
  .tuple(
    fc.constantFrom(
      "/v1/conversations/{id}/turns",
      "/v1/conversations/{id}/events",
      "/v1/conversations/{id}/history",
      "/v1/conversations/{id}/save",
      "/v1/conversations/{id}",
      "/v1/saved/{id}",
      "/v1/saved/{saved}",
      "/v1/saved",
      "/v1/conversations",
      "/v1/clear",
      "/v1/{id}",
      "/api/{id}",
      "/healthz",
      "/{id}",
    ),
    pathSegment,
    fc.option(
      fc.array(
        fc.tuple(
          fc.constantFrom("limit", "cursor", "afterSeq", "beforeSeq", "x"),
          fc.oneof(
            fc.constantFrom("0", "1", "-1", "1.5", "1000", "1001", "99999999999999999999", "", "abc", "e30"),
            pathSegment,
          ),
        ),
        { maxLength: 3 },
      ),
    ),
  )
  .map(([template, segment, query]) => {
    const base = template.replace("{id}", segment).replace("{saved}", () => savedId);
    return query && query.length > 0 ? `${base}?${query.map(([k, v]) => `${k}=${v}`).join("&")}` : base;
  });

const body = fc.oneof(
  fc.constant(undefined),
  fc
    .record(
      {
        content: fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.constant("hi"), fc.jsonValue()),
        requestId: fc.oneof(id, fc.jsonValue()),
        name: fc.oneof(fc.string({ maxLength: 10 }), fc.jsonValue()),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", "{", "null", "[]", '{"content":"x"}', "x".repeat(70_000)),
);

/** `value` now and then, mostly null: most requests should get past the guards to a route. */
function sometimes<T>(arb: fc.Arbitrary<T>, weight = 2): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: 8 }, { arbitrary: arb, weight });
}

const request = fc.record({
  method: fc.constantFrom("GET", "GET", "POST", "POST", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"),
  path,
  body,
  contentType: fc.oneof(
    { arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8"), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/vnd.api+json",
      ),
      weight: 1,
    },
    { arbitrary: headerText, weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
  ),
  origin: sometimes(fc.constantFrom("self", "self", "http://evil.example", "null", "http://localhost:1")),
  host: sometimes(fc.constantFrom("evil.example", "localhost", "127.0.0.1.evil.example"), 1),
  idempotencyKey: sometimes(fc.oneof(headerText, fc.constantFrom("assistant:r1", "r1", ""))),
  requestIdHeader: sometimes(headerText),
  preflight: fc.boolean(),
});

describe("HTTP API fuzz (better-sqlite3 file)", () => {
  it(`${RUNS} random requests: no 5xx, JSON errors, nothing written by a rejected request`, async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType !== null) headers["content-type"] = r.contentType;
        if (r.origin !== null) headers.origin = r.origin === "self" ? server.url : r.origin;
        if (r.host !== null) headers.host = `${r.host}:${port}`;
        if (r.idempotencyKey !== null) headers["idempotency-key"] = r.idempotencyKey;
        if (r.requestIdHeader !== null) headers["x-request-id"] = r.requestIdHeader;
        if (r.preflight) headers["access-control-request-method"] = "POST";
        // node:http frames no body for DELETE / OPTIONS by itself.
        if (r.body !== undefined) headers["content-length"] = String(Buffer.byteLength(r.body));

        const before = snapshot();
        const response = await rawRequest(server.url, r.path, { method: r.method, headers, body: r.body });
        const context = {
          ...r,
          body: r.body?.slice(0, 80),
          status: response.status,
          answer: response.body.slice(0, 200),
        };

        expect(response.status, JSON.stringify(context)).toBeLessThan(500);
        expect(response.headers["x-request-id"], JSON.stringify(context)).toMatch(/^[\x21-\x7e]+$/);
        if (response.status >= 400 && r.method !== "HEAD") {
          expect(response.headers["content-type"], JSON.stringify(context)).toContain("application/json");
          const parsed = response.json();
          expect(typeof parsed.error?.code, JSON.stringify(context)).toBe("string");
          expect(typeof parsed.error?.message, JSON.stringify(context)).toBe("string");
        }
        if (response.status >= 400) expect(snapshot(), JSON.stringify(context)).toBe(before);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }),
      { numRuns: RUNS, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
    );
  });
});
