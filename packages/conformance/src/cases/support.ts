import type {
  ChatEvent,
  ChatlogError,
  ChatlogErrorCode,
  ChatRepository,
  LlmMessage,
  NewChatEvent,
  RepositoryOptions,
} from "@chatlog/core";
import { expect } from "vitest";
import type { DriverHarness, Opened, RawDb } from "../harness.ts";

/** Opens a fresh database for one test and disposes it whatever the test does. */
export async function withDb<T>(
  h: DriverHarness,
  fn: (db: Opened) => Promise<T>,
  options?: RepositoryOptions,
): Promise<T> {
  const db = await h.create(options);
  try {
    return await fn(db);
  } finally {
    await db.dispose();
  }
}

/**
 * Asserts that `call` returns a promise rejected with a ChatlogError of `code`. A synchronous
 * throw is a failure too: callers of an async API chain `.catch`, which a throw bypasses.
 */
export async function rejectsWith(
  call: () => Promise<unknown>,
  code: ChatlogErrorCode,
): Promise<ChatlogError> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    throw new Error(`threw synchronously instead of returning a rejected promise: ${String(error)}`);
  }
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a rejection with code ${code}`).toBeDefined();
  expect(caught).toMatchObject({ name: "ChatlogError", code });
  return caught as ChatlogError;
}

export async function count(raw: RawDb, sql: string, ...params: unknown[]): Promise<number> {
  const [row] = await raw.all(sql, ...params);
  return Number(Object.values(row ?? {})[0]);
}

export function countEvents(raw: RawDb, conversationId?: string): Promise<number> {
  return conversationId === undefined
    ? count(raw, "SELECT COUNT(*) AS n FROM chat_events")
    : count(raw, "SELECT COUNT(*) AS n FROM chat_events WHERE conversation_id = ?", conversationId);
}

/** A fixed instant `minutes` after a base time, so tests control ordering by time exactly. */
export function at(minutes: number, base = Date.UTC(2024, 0, 1, 12, 0, 0, 0)): Date {
  return new Date(base + minutes * 60_000);
}

export function hoursAgo(hours: number): Date {
  return new Date(Date.now() - hours * 3_600_000);
}

export async function add(repo: ChatRepository, event: NewChatEvent): Promise<ChatEvent> {
  const result = await repo.addEvent(event);
  expect(result.added).toBe(true);
  return result.event;
}

export function user(
  conversationId: string,
  content: string,
  extra: NewChatEvent["extra"] = {},
): NewChatEvent {
  return { conversationId, type: "user_message", role: "user", content, extra };
}

export function assistant(
  conversationId: string,
  content: string,
  extra: NewChatEvent["extra"] = {},
): NewChatEvent {
  return { conversationId, type: "assistant_message", role: "assistant", content, extra };
}

export function toolCall(conversationId: string, ...ids: string[]): NewChatEvent {
  return {
    conversationId,
    type: "tool_call",
    role: "assistant",
    content: null,
    toolCalls: ids.map((id) => ({ id, name: "lookup", arguments: { q: id } })),
  };
}

export function toolResult(
  conversationId: string,
  callId: string,
  content = `result of ${callId}`,
): NewChatEvent {
  return { conversationId, type: "tool_result", role: "tool", content, extra: { tool_call_id: callId } };
}

export function delta(conversationId: string, userRequestId: string, text: string): NewChatEvent {
  return {
    conversationId,
    type: "meta",
    role: "assistant",
    content: text,
    extra: { kind: "assistant_delta", user_request_id: userRequestId },
  };
}

/**
 * The rules the OpenAI chat API enforces on tool messages: every assistant message with
 * tool_calls is followed directly by exactly one tool message per call, and every tool message
 * belongs to the assistant message just before its block.
 */
export function expectValidToolPairing(messages: readonly LlmMessage[]): void {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role === "assistant" && message.tool_calls !== undefined) {
      expect(message.tool_calls.length).toBeGreaterThan(0);
      const expected = message.tool_calls.map((c) => c.id).sort();
      const answered: string[] = [];
      let j = i + 1;
      while (j < messages.length && messages[j]!.role === "tool") {
        answered.push((messages[j] as { tool_call_id: string }).tool_call_id);
        j++;
      }
      expect(answered.sort(), `results following assistant message ${i}`).toEqual(expected);
      i = j - 1;
    } else if (message.role === "tool") {
      throw new Error(`tool message at ${i} (${message.tool_call_id}) has no assistant tool call before it`);
    }
  }
}

/** Events of a conversation as stored, read directly from the table. */
export function rawEvents(raw: RawDb, conversationId: string) {
  return raw.all("SELECT * FROM chat_events WHERE conversation_id = ? ORDER BY seq", conversationId);
}

/** A conversation's summary derived from chat_events itself, the reference for chat_conversations. */
export async function derivedSummary(raw: RawDb, conversationId: string) {
  const [row] = await raw.all(
    `SELECT MIN(created_at_ms) AS created, MAX(created_at_ms) AS last, COUNT(*) AS n
     FROM chat_events WHERE conversation_id = ?`,
    conversationId,
  );
  return {
    conversationId,
    createdAt: new Date(Number(row?.created)),
    lastActivityAt: new Date(Number(row?.last)),
    eventCount: Number(row?.n),
  };
}
