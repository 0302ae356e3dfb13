import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NewChatEvent } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { type HranaServer, startHranaServer } from "@chatlog/hrana-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openChatRepository } from "../src/index.ts";

/**
 * Each hot path is ONE HTTP request to a remote database. The server counts pipeline HTTP
 * requests (`stats().pipelines`), not the stream requests inside them: @libsql/client puts a
 * `close` (and `store_sql`s for a batch) into the same request, which costs no round trip.
 */
let dir: string;
let server: HranaServer;
let repo: EngineChatRepository;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "chatlog-round-trips-"));
  server = await startHranaServer({ file: join(dir, "chat.db") });
  repo = await openChatRepository({ url: server.url });
});
afterEach(async () => {
  await repo.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = (conversationId: string, content: string, requestId?: string): NewChatEvent => ({
  conversationId,
  type: "user_message",
  role: "user",
  content,
  ...(requestId === undefined ? {} : { extra: { request_id: requestId } }),
});

/** The pipeline HTTP requests `work` makes. */
async function requestsOf(work: () => Promise<unknown>): Promise<number> {
  await server.resetStats();
  await work();
  return (await server.stats()).pipelines;
}

describe("round trips to a remote database (counted by the Hrana server)", () => {
  it("an append is one request", async () => {
    expect(await requestsOf(() => repo.addEvent(user("c", "hi", "r1")))).toBe(1);
  });

  it("a duplicate append (same request id, or same event id) is one request and returns the stored event", async () => {
    const first = await repo.addEvent(user("c", "hi", "r1"));
    let again: Awaited<ReturnType<typeof repo.addEvent>> | undefined;
    expect(
      await requestsOf(async () => {
        again = await repo.addEvent(user("c", "hi", "r1"));
      }),
    ).toBe(1);
    expect(again).toEqual({ added: false, event: first.event });
    const byId = { ...user("c", "hello"), id: "fixed-id" };
    const stored = await repo.addEvent(byId);
    let dupe: Awaited<ReturnType<typeof repo.addEvent>> | undefined;
    expect(
      await requestsOf(async () => {
        dupe = await repo.addEvent(byId);
      }),
    ).toBe(1);
    expect(dupe).toEqual({ added: false, event: stored.event });
  });

  it("a history read is one request", async () => {
    for (let i = 0; i < 20; i++) await repo.addEvent(user("c", `m${i}`));
    expect(await requestsOf(() => repo.getConversationHistory("c"))).toBe(1);
    expect(await requestsOf(() => repo.getConversationHistory("c", { limit: 5 }))).toBe(1);
    expect(await requestsOf(() => repo.getEvents("c", { limit: 5 }))).toBe(1);
  });

  it("a list page is one request", async () => {
    for (let i = 0; i < 12; i++) await repo.addEvent(user(`c${i}`, "m"));
    let cursor: string | null = null;
    expect(
      await requestsOf(async () => {
        cursor = (await repo.listConversations({ limit: 5 })).nextCursor;
      }),
    ).toBe(1);
    expect(cursor).not.toBeNull();
    expect(
      await requestsOf(() => repo.listConversations({ limit: 5, cursor: cursor as unknown as string })),
    ).toBe(1);
  });

  it("handleUserMessagePersistence is one request, first time and on a retry", async () => {
    expect(await requestsOf(() => repo.handleUserMessagePersistence("c", "hi", "r1"))).toBe(1);
    expect(await requestsOf(() => repo.handleUserMessagePersistence("c", "hi", "r1"))).toBe(1);
  });

  it("compactDeltas and persistAssistantMessage are one request each", async () => {
    await repo.handleUserMessagePersistence("c", "hi", "r1");
    for (let i = 0; i < 5; i++) {
      await repo.addEvent({
        conversationId: "c",
        type: "meta",
        role: "assistant",
        content: `d${i}`,
        extra: { kind: "assistant_delta", user_request_id: "r1" },
      });
    }
    expect(await requestsOf(() => repo.compactDeltas("c", "r1", "d0d1d2d3d4"))).toBe(1);
    await repo.handleUserMessagePersistence("c", "again", "r2");
    expect(await requestsOf(() => repo.persistAssistantMessage("c", "r2", "reply", "m", "p"))).toBe(1);
  });

  it("a generator's held append and held compaction are one request each, held or refused", async () => {
    await repo.handleUserMessagePersistence("c", "hi", "r1");
    const key = { conversationId: "c", userRequestId: "r1", attempt: 1 };
    await repo.claimTurn({ ...key, ownerId: "A", messageId: "m", staleMs: 60_000 });
    const delta: NewChatEvent = {
      conversationId: "c",
      type: "meta",
      role: "assistant",
      content: "d",
      extra: { kind: "assistant_delta", user_request_id: "r1" },
    };
    expect(await requestsOf(() => repo.appendHeld({ ...key, ownerId: "A" }, delta))).toBe(1);
    expect(await requestsOf(() => repo.appendHeld({ ...key, ownerId: "B" }, delta))).toBe(1);
    expect(await requestsOf(() => repo.compactHeld({ ...key, ownerId: "B" }, "d"))).toBe(1);
    expect(await requestsOf(() => repo.compactHeld({ ...key, ownerId: "A" }, "d"))).toBe(1);
  });

  it("a group-commit flush of 50 concurrent appends is one request", async () => {
    const requests = await requestsOf(() =>
      Promise.all(Array.from({ length: 50 }, (_, i) => repo.addEvent(user(`c${i % 5}`, `m${i}`)))),
    );
    expect(requests).toBe(1);
    expect((await repo.getEvents("c0")).length).toBe(10);
  });
});
