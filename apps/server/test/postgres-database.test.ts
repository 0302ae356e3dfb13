import { postgresAvailable } from "@chatlog/pg-test-cluster";
import { testDatabase } from "@chatlog/pg-test-cluster/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { send, storedMessages, userMessage } from "./helpers/ai-chat.ts";
import { type ChildServer, spawnServer } from "./helpers/child-server.ts";
import { expectRetryFollowsOtherProcess } from "./helpers/follow-scenario.ts";
import { PostgresRaw } from "./helpers/postgres-db.ts";
import { jsonOf, runTurn } from "./helpers/sse.ts";

/**
 * The chat service on Postgres: DATABASE_URL=postgres://… (a new database per test on the run's
 * throwaway cluster), the server processes real, the database read directly to check what was
 * stored.
 */
describe.runIf(postgresAvailable())("server processes on Postgres", () => {
  let raw: PostgresRaw;
  const children: ChildServer[] = [];
  beforeEach(async () => {
    raw = new PostgresRaw(await testDatabase());
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
      await c.exited;
    }
    await raw.dispose();
  });

  async function start(env: Record<string, string> = {}): Promise<ChildServer> {
    const server = await spawnServer({ DATABASE_URL: raw.database.url, ...env });
    children.push(server);
    return server;
  }

  it("migrates the database, streams a /v1 turn into it, and replays it on a retry", async () => {
    const server = await start();
    const turn = await runTurn(server.url, "c1", { content: "What time is it?", requestId: "r1" });
    expect(turn.status).toBe(200);
    expect(turn.text.length).toBeGreaterThan(0);
    expect(turn.done?.content).toBe(turn.text);
    // Stored: the user message, the tool call and its result, one reply, no deltas left.
    expect(await raw.countRows("type = 'user_message' AND request_id = 'r1'")).toBe(1);
    expect(await raw.countRows("type = 'tool_call'")).toBe(1);
    expect(await raw.countRows("type = 'tool_result'")).toBe(1);
    expect(await raw.countRows("type = 'meta'")).toBe(0);
    const replies = await raw.query("SELECT content, seq FROM chat_events WHERE type = 'assistant_message'");
    expect(replies).toEqual([{ content: turn.text, seq: expect.any(Number) }]);
    const seqs = await raw.query("SELECT seq FROM chat_events WHERE conversation_id = 'c1' ORDER BY seq");
    // Increasing and unique; the compacted deltas' seqs are never handed out again.
    const numbers = seqs.map((row) => Number(row.seq));
    expect(numbers.slice(0, 3)).toEqual([1, 2, 3]);
    expect(numbers[3]).toBeGreaterThan(3);

    const retry = await runTurn(server.url, "c1", { content: "What time is it?", requestId: "r1" });
    expect(retry.start).toMatchObject({ replay: true });
    expect(retry.done?.content).toBe(turn.done?.content);
    expect(await raw.countRows("type = 'assistant_message'")).toBe(1);

    const events = await jsonOf(await fetch(`${server.url}/v1/conversations/c1/events`));
    expect(events.events.map((e: { seq: number }) => e.seq)).toEqual(seqs.map((row) => row.seq));
    const list = await jsonOf(await fetch(`${server.url}/v1/conversations`));
    expect(list.conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual(["c1"]);
  });

  it("serves /api/chat: the AI SDK's transport streams a tool turn, /messages returns what it built", async () => {
    const server = await start();
    const { message } = await send(server.url, "chat-1", userMessage("u1", "calculate 2 + 3"));
    expect(message?.parts.map((p) => p.type)).toEqual([
      "step-start",
      "tool-calculator",
      "step-start",
      "text",
    ]);
    const stored = await storedMessages(server.url, "chat-1");
    expect(stored).toEqual([userMessage("u1", "calculate 2 + 3"), message]);
    // The /api/chat turn is a /v1 turn too: its user message id is its request id.
    expect(await raw.countRows("conversation_id = 'chat-1' AND request_id = 'u1'")).toBe(1);
    const history = await jsonOf(await fetch(`${server.url}/v1/conversations/chat-1/history`));
    expect(history.events.map((e: { type: string }) => e.type)).toEqual([
      "user_message",
      "tool_call",
      "tool_result",
      "assistant_message",
    ]);
  });

  it("two server processes on one database: a retry on the other follows the same generation", () =>
    expectRetryFollowsOtherProcess(start, (where) => raw.countRows(where)));

  it("an unreachable database stops the start with a one-line error that names it without its password", async () => {
    const url = new URL(raw.database.url);
    url.password = "secret-password";
    url.port = "1"; // nothing listens there
    const failed = start({ DATABASE_URL: url.toString() });
    await expect(failed).rejects.toThrow(
      /failed to start.*could not be reached.*postgres:\/\/postgres@127\.0\.0\.1:1\//,
    );
    await expect(failed).rejects.not.toThrow(/secret-password/);
  });
});
