import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatlogError, type NewChatEvent, validateEvent } from "@chatlog/core";
import { encodeEvent } from "@chatlog/engine";
import { spawnHranaServer, startHranaServer } from "@chatlog/hrana-server";
import Database from "libsql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openChatRepository } from "../src/index.ts";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chatlog-remote-failures-"));
  file = join(dir, "chat.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const event = (requestId: string): NewChatEvent => ({
  conversationId: "c",
  type: "user_message",
  role: "user",
  content: `message ${requestId}`,
  extra: { request_id: requestId },
});

function storedRequestIds(): string[] {
  const db = new Database(file);
  try {
    return (
      db.prepare("SELECT request_id FROM chat_events ORDER BY seq").all() as { request_id: string }[]
    ).map((r) => r.request_id);
  } finally {
    db.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<ChatlogError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatlogError);
  return error as ChatlogError;
}

describe("a remote database that fails", () => {
  it("unreachable at open: one-line UNAVAILABLE naming the URL and 'connection refused'", async () => {
    const server = await startHranaServer({ file });
    const url = server.url;
    await server.close();
    const error = await rejection(openChatRepository({ url }));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toBe(`remote database ${url} is unreachable: connection refused (ECONNREFUSED)`);
    expect(error.message).not.toMatch(/\n|CREATE TABLE|Failed query/);
  });

  it("a wrong token at open names the URL and the refusal", async () => {
    const server = await startHranaServer({ file, authToken: "right" });
    try {
      const error = await rejection(openChatRepository({ url: server.url, authToken: "wrong" }));
      expect(error.message).toBe(
        `remote database ${server.url} refused the token: The JWT is invalid (AUTH_JWT_INVALID)`,
      );
    } finally {
      await server.close();
    }
  });

  it("a request that times out is UNAVAILABLE; the client works again afterwards", async () => {
    const server = await startHranaServer({ file });
    const repo = await openChatRepository({ url: server.url, requestTimeoutMs: 300 });
    try {
      await server.hangNext(1);
      const error = await rejection(repo.addEvent(event("r1")));
      expect(error.code).toBe("UNAVAILABLE");
      expect(error.message).toBe(`remote database ${server.url} did not answer within 300 ms`);
      // The hung request never ran; the retry with the same request id stores it once.
      expect((await repo.addEvent(event("r1"))).added).toBe(true);
      expect(storedRequestIds()).toEqual(["r1"]);
    } finally {
      await repo.close();
      await server.close();
    }
  });

  it("a 5xx before running writes nothing; a 5xx after commit is retried safely with the same request id", async () => {
    const server = await startHranaServer({ file });
    const repo = await openChatRepository({ url: server.url });
    try {
      await server.failNext({ count: 1, status: 503 });
      const before = await rejection(repo.addEvent(event("r1")));
      expect(before.code).toBe("UNAVAILABLE");
      expect(before.message).toBe(`remote database ${server.url} answered HTTP status 503: injected failure`);
      expect(storedRequestIds()).toEqual([]);

      // The write lands, then the answer is lost: the caller cannot tell, so it retries.
      await server.failNext({ count: 1, status: 502, phase: "after" });
      const after = await rejection(repo.addEvent(event("r2")));
      expect(after.code).toBe("UNAVAILABLE");
      expect(storedRequestIds()).toEqual(["r2"]);
      const retry = await repo.addEvent(event("r2"));
      expect(retry.added).toBe(false);
      expect(retry.event.extra.request_id).toBe("r2");
      // A lost answer to a group-commit flush: all of it committed, all of it retried, once each.
      await server.failNext({ count: 1, status: 500, phase: "after" });
      const flush = await Promise.allSettled(["a", "b", "c"].map((id) => repo.addEvent(event(id))));
      expect(flush.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
      const again = await Promise.all(["a", "b", "c"].map((id) => repo.addEvent(event(id))));
      expect(again.map((r) => r.added)).toEqual([false, false, false]);
      expect(storedRequestIds()).toEqual(["r2", "a", "b", "c"]);
      // The user-message path is idempotent the same way.
      await server.failNext({ count: 1, status: 503, phase: "after" });
      await rejection(repo.handleUserMessagePersistence("c", "hi", "u1"));
      expect(await repo.handleUserMessagePersistence("c", "hi", "u1")).toBe(false);
      expect(storedRequestIds().filter((id) => id === "u1")).toHaveLength(1);
    } finally {
      await repo.close();
      await server.close();
    }
  });

  // Expired streams: the repository holds no stream open between calls (no interactive
  // transactions; every call is one pipeline request that closes its stream), so a baton can
  // never expire under it. The Hrana server's own tests cover stream expiry at the protocol level.

  it("the server going away mid-run: failures are UNAVAILABLE, no acknowledged write is lost, retries store each once", async () => {
    let server = await spawnHranaServer({ file });
    const { port, url } = server;
    const repo = await openChatRepository({ url, requestTimeoutMs: 5000 });
    const acknowledged = new Set<string>();
    const failed = new Map<string, ChatlogError>();
    try {
      const ids = Array.from({ length: 400 }, (_, i) => `w${i}`);
      let killed = false;
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < ids.length; i += 8) {
          const id = ids[i] as string;
          try {
            await repo.addEvent(event(id));
            acknowledged.add(id);
          } catch (error) {
            failed.set(id, error as ChatlogError);
          }
          if (!killed && acknowledged.size >= 100) {
            killed = true;
            await server.stop("SIGKILL");
          }
        }
      });
      await Promise.all(writers);
      expect(acknowledged.size).toBeGreaterThanOrEqual(100);
      expect(failed.size).toBeGreaterThan(0);
      for (const error of failed.values()) {
        expect(error.code).toBe("UNAVAILABLE");
        expect(error.message).toMatch(new RegExp(`^remote database ${url} `));
        expect(error.message).not.toMatch(/\n/);
      }
      // Every acknowledged write is in the file.
      const stored = new Set(storedRequestIds());
      for (const id of acknowledged) expect(stored.has(id), id).toBe(true);

      // The server comes back on the same address; the same client retries what failed.
      server = await spawnHranaServer({ file, port });
      for (const id of failed.keys()) await repo.addEvent(event(id));
      const final = storedRequestIds();
      expect(final.length).toBe(ids.length);
      expect(new Set(final).size).toBe(ids.length);
    } finally {
      await repo.close();
      await server.stop("SIGKILL");
    }
  });
});

function _appendArgs(requestId: string) {
  return encodeEvent(validateEvent(event(requestId)));
}
