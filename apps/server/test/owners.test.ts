import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logging.ts";
import { type RunningServer, startServer } from "../src/server.ts";
import { TURN_DRIVERS } from "./helpers/drivers.ts";
import { fileDatabase, type RawDatabase } from "./helpers/raw-db.ts";
import { jsonOf, runTurn } from "./helpers/sse.ts";

const SECRET = "a-test-hs256-secret-of-at-least-32-bytes!";
const ADMIN_TOKEN = "admin-token-for-the-owner-tests";
const ISSUER = "https://id.example";
const AUDIENCE = "chatlog";
const JSON_TYPE = { "content-type": "application/json" };

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;

/** The identity provider of the test: RS256 and ES256 keys, their public halves served as a JWKS on loopback. */
class TestIdentityProvider {
  rsa!: Keys;
  ec!: Keys;
  /** Keys the JWKS does not publish (a forged token's). */
  stranger!: Keys;
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.rsa = await generateKeyPair("RS256");
    this.ec = await generateKeyPair("ES256");
    this.stranger = await generateKeyPair("RS256");
    const keys: JWK[] = [
      { ...(await exportJWK(this.rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(this.ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ];
    this.server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string;
  exp?: number | string | null;
  nbf?: number | string;
}

/** A token as an identity provider mints it (defaults: right issuer and audience, five minutes). */
async function mint(
  alg: "HS256" | "RS256" | "ES256",
  key: Keys["privateKey"] | Uint8Array,
  claims: Claims,
  kid?: string,
) {
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt();
  if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
  if (claims.exp !== null) jwt = jwt.setExpirationTime(claims.exp ?? "5m");
  if (claims.nbf !== undefined) jwt = jwt.setNotBefore(claims.nbf);
  return jwt.sign(key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A token signed by hand (for headers no library would produce: alg none, HS256 bytes under RS256). */
function handMade(header: object, payload: object, sign: (input: string) => string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input)}`;
}

const secretKey = new TextEncoder().encode(SECRET);
const idp = new TestIdentityProvider();
beforeAll(() => idp.start());
afterAll(() => idp.stop());

describe.each(TURN_DRIVERS)("owners on one server ($name)", (driver) => {
  let server: RunningServer;
  let dir: string;
  let raw: RawDatabase;
  let disposeDatabase = async () => {};
  const logLines: string[] = [];
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "chatlog-owners-"));
    let databaseEnv: Record<string, string>;
    if (driver.database) {
      const database = await driver.database();
      ({ raw, env: databaseEnv } = database);
      disposeDatabase = database.dispose;
    } else {
      const file = join(dir, "chat.db");
      raw = fileDatabase(file);
      databaseEnv = driver.env(file);
    }
    server = await startServer({
      env: {
        CHATLOG_OFFLINE_DELAY_MS: "0",
        ...databaseEnv,
        CHATLOG_API_TOKEN: ADMIN_TOKEN,
        CHATLOG_JWT_SECRET: SECRET,
        CHATLOG_JWKS_URL: idp.url,
        CHATLOG_JWT_ISSUER: ISSUER,
        CHATLOG_JWT_AUDIENCE: AUDIENCE,
      },
      port: 0,
      logger: createLogger("info", (line) => logLines.push(line)),
    });
    // Alice signs in with the shared secret (HS256), Bob through the JWKS (RS256).
    alice = { authorization: `Bearer ${await mint("HS256", secretKey, { sub: "alice" })}` };
    bob = { authorization: `Bearer ${await mint("RS256", idp.rsa.privateKey, { sub: "bob" }, "rsa-1")}` };
  });
  afterAll(async () => {
    await server.close();
    await disposeDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string>) => fetch(`${server.url}${path}`, { headers });
  const send = (method: string, path: string, headers: Record<string, string>, body: unknown = {}) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { ...JSON_TYPE, ...headers },
      body: JSON.stringify(body),
    });
  const snapshot = async () => ({
    events: await raw.query("SELECT id, conversation_id, seq FROM chat_events ORDER BY conversation_id, seq"),
    conversations: await raw.query(
      "SELECT conversation_id, owner_id, event_count, title FROM chat_conversations ORDER BY 1",
    ),
    saved: await raw.query("SELECT id, conversation_id FROM chat_saved_sessions ORDER BY id"),
    claims: await raw.query("SELECT * FROM chat_turn_claims"),
  });
  const aiChatBody = (id: string, messageId: string, text: string) => ({
    id,
    messages: [{ id: messageId, role: "user", parts: [{ type: "text", text }] }],
    trigger: "submit-message",
  });

  it("two users each see, continue, save and delete only their own conversations; the administrator sees both", async () => {
    // Each user's first turn makes a conversation theirs: Alice over /v1, Bob over /api/chat.
    const turn = await runTurn(server.url, "a1", {
      content: "hello from alice",
      requestId: "ra",
      headers: alice,
    });
    expect(turn.status).toBe(200);
    expect(turn.done?.content).toContain("hello from alice");
    const chat = await send("POST", "/api/chat", bob, aiChatBody("b1", "rb", "hello from bob"));
    expect(chat.status).toBe(200);
    await chat.text();
    const savedA = (await jsonOf(await send("POST", "/v1/conversations/a1/save", alice))).savedId as string;
    const savedB = (await jsonOf(await send("POST", "/v1/conversations/b1/save", bob))).savedId as string;

    const list = async (headers: Record<string, string>) =>
      (await jsonOf(await get("/v1/conversations", headers))).conversations.map(
        (c: { conversationId: string; ownerId: string | null }) => [c.conversationId, c.ownerId],
      );
    expect(await list(alice)).toEqual([["a1", "alice"]]);
    expect(await list(bob)).toEqual([["b1", "bob"]]);
    expect((await list(admin)).sort()).toEqual([
      ["a1", "alice"],
      ["b1", "bob"],
    ]);

    const sides = [
      { who: alice, own: "a1", ownSaved: savedA, other: "b1", otherSaved: savedB },
      { who: bob, own: "b1", ownSaved: savedB, other: "a1", otherSaved: savedA },
    ];
    for (const { who, own, ownSaved, other, otherSaved } of sides) {
      // Their own conversation answers on every read route.
      expect((await get(`/v1/conversations/${own}/events`, who)).status).toBe(200);
      expect((await get(`/v1/conversations/${own}/history`, who)).status).toBe(200);
      expect((await jsonOf(await get(`/api/chat/${own}/messages`, who))).messages).toHaveLength(2);
      expect((await get(`/api/chat/${own}/stream`, who)).status).toBe(204);
      expect((await get(`/v1/saved/${ownSaved}`, who)).status).toBe(200);
      const saved = (await jsonOf(await get("/v1/saved", who))).saved.map((s: { id: string }) => s.id);
      expect(saved).toEqual([ownSaved]);

      // The other's is a 404 on every read route, whatever the cursor.
      const before = await snapshot();
      for (const path of [
        `/v1/conversations/${other}/events`,
        `/v1/conversations/${other}/events?afterSeq=0`,
        `/v1/conversations/${other}/events?beforeSeq=99&limit=5`,
        `/v1/conversations/${other}/history`,
        `/v1/conversations/${other}/history?beforeSeq=99`,
        `/api/chat/${other}/messages`,
        `/api/chat/${other}/stream`,
        `/v1/saved/${otherSaved}`,
      ]) {
        const response = await get(path, who);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        expect(JSON.stringify(await response.json())).not.toContain("hello from");
      }
      // Writes into it are refused and write nothing.
      const intrusion = await runTurn(server.url, other, {
        content: "intrusion",
        requestId: "rx",
        headers: who,
      });
      expect(intrusion.status).toBe(404);
      expect((await send("POST", "/api/chat", who, aiChatBody(other, "ry", "intrusion"))).status).toBe(404);
      expect((await send("POST", `/v1/conversations/${other}/save`, who)).status).toBe(404);
      expect((await send("DELETE", `/v1/conversations/${other}`, who)).status).toBe(404);
      expect((await send("PATCH", `/v1/conversations/${other}`, who, { title: "renamed" })).status).toBe(404);
      expect((await send("DELETE", `/v1/saved/${otherSaved}`, who)).status).toBe(404);
      expect((await send("POST", `/api/chat/${other}/stop`, who)).status).toBe(404);
      expect((await send("POST", `/v1/conversations/${other}/turns/ra/stop`, who)).status).toBe(404);
      expect((await send("POST", "/v1/clear", who)).status).toBe(403);
      expect(await snapshot()).toEqual(before);
    }

    // The administrator reads both, by any route.
    for (const id of ["a1", "b1"]) {
      expect(
        (await jsonOf(await get(`/v1/conversations/${id}/events`, admin))).events.length,
      ).toBeGreaterThan(1);
      expect((await jsonOf(await get(`/api/chat/${id}/messages`, admin))).messages).toHaveLength(2);
    }
    // A user deletes their own; the id is then free for whoever writes it first.
    expect((await send("DELETE", "/v1/conversations/b1", bob)).status).toBe(200);
    expect(await list(bob)).toEqual([]);
    expect(await raw.query("SELECT owner_id FROM chat_conversations ORDER BY 1")).toEqual([
      { owner_id: "alice" },
    ]);

    // Each request's log line names who made it, never the token.
    const requests = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
    expect(requests.some((l) => l.user === "user:alice")).toBe(true);
    expect(requests.some((l) => l.user === "user:bob")).toBe(true);
    expect(requests.some((l) => l.user === "admin")).toBe(true);
    for (const token of [alice.authorization, bob.authorization, admin.authorization]) {
      expect(logLines.join("\n")).not.toContain((token as string).slice("Bearer ".length));
    }
  });

  it("bad, expired, unsigned, misaddressed and algorithm-swapped tokens are 401 and write nothing", async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { sub: "mallory", iss: ISSUER, aud: AUDIENCE, exp: now + 300 };
    const hmac = (input: string) => createHmac("sha256", SECRET).update(input).digest("base64url");
    const bad: Record<string, string> = {
      "wrong signature": await mint("HS256", new TextEncoder().encode(`${SECRET}-other`), { sub: "mallory" }),
      expired: await mint("HS256", secretKey, { sub: "mallory", exp: now - 10 }),
      "not yet valid": await mint("HS256", secretKey, { sub: "mallory", nbf: now + 600 }),
      "without exp": await mint("HS256", secretKey, { sub: "mallory", exp: null }),
      "without sub": await mint("HS256", secretKey, {}),
      "wrong issuer": await mint("HS256", secretKey, { sub: "mallory", iss: "https://evil.example" }),
      "wrong audience": await mint("ES256", idp.ec.privateKey, { sub: "mallory", aud: "other" }, "ec-1"),
      "key not in the JWKS": await mint("RS256", idp.stranger.privateKey, { sub: "mallory" }, "rsa-1"),
      "alg none": handMade({ alg: "none", typ: "JWT" }, payload, () => ""),
      "HS256 signature presented as RS256": handMade({ alg: "RS256", kid: "rsa-1" }, payload, hmac),
      "HS256 signature presented as ES256": handMade({ alg: "ES256", kid: "ec-1" }, payload, hmac),
      "not a token": "not.a.token",
    };
    const before = await snapshot();
    for (const [name, token] of Object.entries(bad)) {
      const headers = { authorization: `Bearer ${token}` };
      const turn = await runTurn(server.url, `m-${name.length}`, { content: "x", requestId: "rm", headers });
      expect({ name, status: turn.status }).toEqual({ name, status: 401 });
      const chat = await send("POST", "/api/chat", headers, aiChatBody("m1", "rm", "x"));
      expect({ name, status: chat.status }).toEqual({ name, status: 401 });
      expect({ name, status: (await get("/v1/conversations", headers)).status }).toEqual({
        name,
        status: 401,
      });
    }
    expect(await snapshot()).toEqual(before);
    // The same claims, properly signed, pass: each refusal above was for its one defect.
    const good = await mint("ES256", idp.ec.privateKey, { sub: "mallory" }, "ec-1");
    expect((await get("/v1/conversations", { authorization: `Bearer ${good}` })).status).toBe(200);
  });
});
