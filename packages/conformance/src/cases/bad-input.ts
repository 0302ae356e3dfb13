import type { ChatlogErrorCode, NewChatEvent } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { describe, expect, it } from "vitest";
import type { DriverHarness, RawDb } from "../harness.ts";
import { count, countEvents, rejectsWith, user, withDb } from "./support.ts";

const base = { conversationId: "c", type: "user_message", role: "user", content: "x" };

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}

/** [what is wrong, the event, the code it must be rejected with] */
const BAD_EVENTS: [string, unknown, ChatlogErrorCode][] = [
  ["null", null, "INVALID_EVENT"],
  ["a string", "user_message", "INVALID_EVENT"],
  ["an array", [base], "INVALID_EVENT"],
  ["a class instance", new Date(), "INVALID_EVENT"],
  ["missing conversationId", { type: "user_message", content: "x" }, "INVALID_EVENT"],
  ["empty conversationId", { ...base, conversationId: "" }, "INVALID_EVENT"],
  ["numeric conversationId", { ...base, conversationId: 7 }, "INVALID_EVENT"],
  ["oversized conversationId", { ...base, conversationId: "c".repeat(10_000) }, "INVALID_EVENT"],
  ["missing type", { conversationId: "c", content: "x" }, "UNKNOWN_EVENT_TYPE"],
  ["unknown type", { ...base, type: "message" }, "UNKNOWN_EVENT_TYPE"],
  ["unknown role", { ...base, role: "bot" }, "INVALID_EVENT"],
  ["numeric content", { ...base, content: 42 }, "INVALID_EVENT"],
  ["object content", { ...base, content: { text: "x" } }, "INVALID_EVENT"],
  ["array of strings as content", { ...base, content: ["x"] }, "INVALID_EVENT"],
  ["text part without text", { ...base, content: [{ type: "text", text: 5 }] }, "INVALID_EVENT"],
  ["part without type", { ...base, content: [{ text: "x" }] }, "INVALID_EVENT"],
  ["toolCalls not an array", { ...base, toolCalls: "call" }, "INVALID_EVENT"],
  ["tool call without id", { ...base, toolCalls: [{ name: "f", arguments: {} }] }, "INVALID_EVENT"],
  [
    "tool call with empty name",
    { ...base, toolCalls: [{ id: "a", name: "", arguments: {} }] },
    "INVALID_EVENT",
  ],
  ["tool call that is null", { ...base, toolCalls: [null] }, "INVALID_EVENT"],
  [
    "tool call arguments with a function",
    { ...base, toolCalls: [{ id: "a", name: "f", arguments: { f: () => 1 } }] },
    "NOT_SERIALIZABLE",
  ],
  ["unknown field", { ...base, contnet: "typo" }, "INVALID_EVENT"],
  ["extra that is an array", { ...base, extra: [1] }, "INVALID_EVENT"],
  ["extra with a function", { ...base, extra: { f: () => 1 } }, "NOT_SERIALIZABLE"],
  ["extra with a BigInt", { ...base, extra: { n: 10n } }, "NOT_SERIALIZABLE"],
  ["extra with NaN", { ...base, extra: { n: Number.NaN } }, "NOT_SERIALIZABLE"],
  ["extra with Infinity", { ...base, extra: { n: Number.POSITIVE_INFINITY } }, "NOT_SERIALIZABLE"],
  ["extra with a cycle", { ...base, extra: cyclic() }, "NOT_SERIALIZABLE"],
  ["extra with a Date", { ...base, extra: { when: new Date() } }, "NOT_SERIALIZABLE"],
  ["extra with a Map", { ...base, extra: { m: new Map() } }, "NOT_SERIALIZABLE"],
  ["extra with a symbol", { ...base, extra: { s: Symbol("s") } }, "NOT_SERIALIZABLE"],
  ["raw with NaN", { ...base, raw: [Number.NaN] }, "NOT_SERIALIZABLE"],
  ["raw with undefined in an array", { ...base, raw: [undefined] }, "NOT_SERIALIZABLE"],
  ["numeric extra.request_id", { ...base, extra: { request_id: 5 } }, "INVALID_EVENT"],
  ["empty extra.request_id", { ...base, extra: { request_id: "" } }, "INVALID_EVENT"],
  ["object extra.request_id", { ...base, extra: { request_id: { id: "r" } } }, "INVALID_EVENT"],
  ["empty id", { ...base, id: "" }, "INVALID_EVENT"],
  ["numeric id", { ...base, id: 12 }, "INVALID_EVENT"],
  ["createdAt as a string", { ...base, createdAt: "2024-01-01T00:00:00Z" }, "INVALID_EVENT"],
  ["invalid createdAt", { ...base, createdAt: new Date(Number.NaN) }, "INVALID_EVENT"],
  ["negative tokenCount", { ...base, tokenCount: -1 }, "INVALID_EVENT"],
  ["fractional tokenCount", { ...base, tokenCount: 1.5 }, "INVALID_EVENT"],
  ["usage with a string count", { ...base, usage: { inputTokens: "3" } }, "INVALID_EVENT"],
  ["usage as an array", { ...base, usage: [3] }, "INVALID_EVENT"],
  ["numeric provider", { ...base, provider: 1 }, "INVALID_EVENT"],
  ["unsupported schemaVersion", { ...base, schemaVersion: 2 }, "INVALID_EVENT"],
];

async function nothingWritten(raw: RawDb): Promise<void> {
  expect(await countEvents(raw)).toBe(0);
  expect(await count(raw, "SELECT COUNT(*) FROM chat_conversations")).toBe(0);
  expect(await count(raw, "SELECT COUNT(*) FROM chat_saved_sessions")).toBe(0);
}

type Call = (repo: EngineChatRepository) => Promise<unknown>;

/** Method arguments (ids, limits, cursors) that must be refused with INVALID_ARGUMENT. */
const BAD_ARGUMENTS: [string, Call][] = [
  ["getEvents with an empty conversation id", (r) => r.getEvents("")],
  ["getEvents with a numeric conversation id", (r) => r.getEvents(5 as never)],
  ["getEvents with limit 0", (r) => r.getEvents("c", { limit: 0 })],
  ["getEvents with a negative limit", (r) => r.getEvents("c", { limit: -1 })],
  ["getEvents with a fractional limit", (r) => r.getEvents("c", { limit: 1.5 })],
  ["getEvents with a string limit", (r) => r.getEvents("c", { limit: "5" as never })],
  ["getEvents with a NaN limit", (r) => r.getEvents("c", { limit: Number.NaN })],
  ["getEvents with a string afterSeq", (r) => r.getEvents("c", { afterSeq: "3" as never })],
  ["getEvents with a fractional afterSeq", (r) => r.getEvents("c", { afterSeq: 1.5 })],
  ["getEvents with an infinite beforeSeq", (r) => r.getEvents("c", { beforeSeq: Number.POSITIVE_INFINITY })],
  ["getConversationHistory with limit 0", (r) => r.getConversationHistory("c", { limit: 0 })],
  ["getConversationHistory with an empty id", (r) => r.getConversationHistory("")],
  ["listConversations with limit 0", (r) => r.listConversations({ limit: 0 })],
  ["listConversations with a garbage cursor", (r) => r.listConversations({ cursor: "garbage!" })],
  [
    "listConversations with a well-encoded cursor of the wrong shape",
    (r) => r.listConversations({ cursor: Buffer.from('{"a":1}').toString("base64url") }),
  ],
  ["listConversations with a numeric cursor", (r) => r.listConversations({ cursor: 12 as never })],
  ["getEventByRequestId with an empty request id", (r) => r.getEventByRequestId("c", "")],
  ["getEventByRequestId with an empty conversation id", (r) => r.getEventByRequestId("", "r")],
  ["getLastAssistantReplyId with an empty request id", (r) => r.getLastAssistantReplyId("c", "")],
  [
    "getExistingAssistantResponse with an empty conversation id",
    (r) => r.getExistingAssistantResponse("", "r"),
  ],
  [
    "handleUserMessagePersistence with an empty request id",
    (r) => r.handleUserMessagePersistence("c", "x", ""),
  ],
  [
    "handleUserMessagePersistence with an empty conversation id",
    (r) => r.handleUserMessagePersistence("", "x", "r"),
  ],
  ["persistAssistantMessage with an empty request id", (r) => r.persistAssistantMessage("c", "", "x", null)],
  [
    "persistAssistantMessage with an empty conversation id",
    (r) => r.persistAssistantMessage("", "r", "x", null),
  ],
  ["compactDeltas with an empty request id", (r) => r.compactDeltas("c", "", "x")],
  ["compactDeltas with an empty conversation id", (r) => r.compactDeltas("", "r", "x")],
  ["buildLlmConversation with an empty conversation id", (r) => r.buildLlmConversation("", "x", "sys")],
  ["buildLlmConversation with limit 0", (r) => r.buildLlmConversation("c", "x", "sys", { limit: 0 })],
  ["buildLlmConversation with a numeric user message", (r) => r.buildLlmConversation("c", 7 as never, "sys")],
  [
    "buildLlmConversation with a non-string system prompt",
    (r) => r.buildLlmConversation("c", "x", null as never),
  ],
  ["saveSession with an empty conversation id", (r) => r.saveSession("")],
  ["saveSession with an empty name", (r) => r.saveSession("c", "")],
  ["loadSavedSession with an empty id", (r) => r.loadSavedSession("")],
];

export function badInputCases(h: DriverHarness): void {
  describe("bad input is refused with a ChatlogError code and writes nothing", () => {
    for (const [what, event, code] of BAD_EVENTS) {
      it(`addEvent: ${what} -> ${code}`, () =>
        withDb(h, async ({ repo, raw }) => {
          const error = await rejectsWith(() => repo.addEvent(event as NewChatEvent), code);
          expect(error.message.length).toBeGreaterThan(0);
          await nothingWritten(raw);
          // The repository is still usable afterwards.
          expect((await repo.addEvent(user("c", "fine"))).added).toBe(true);
        }));
    }

    for (const [what, call] of BAD_ARGUMENTS) {
      it(`${what} -> INVALID_ARGUMENT`, () =>
        withDb(h, async ({ repo, raw }) => {
          await rejectsWith(() => call(repo), "INVALID_ARGUMENT");
          await nothingWritten(raw);
        }));
    }

    it("bad message content given to the turn helpers is refused and writes nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        for (const call of [
          () => repo.handleUserMessagePersistence("c", 42 as never, "r"),
          () => repo.persistAssistantMessage("c", "r", { text: "x" } as never, null),
          () => repo.compactDeltas("c", "r", [{ text: "no type" }] as never),
        ]) {
          const error = await rejectsWith(call, "INVALID_EVENT");
          expect(error.code).toBe("INVALID_EVENT");
        }
        await nothingWritten(raw);
      }));

    it("saving an unknown conversation is EMPTY_CONVERSATION; loading an unknown saved id is NOT_FOUND", () =>
      withDb(h, async ({ repo, raw }) => {
        await rejectsWith(() => repo.saveSession("never-used"), "EMPTY_CONVERSATION");
        await rejectsWith(() => repo.loadSavedSession("no-such-id"), "NOT_FOUND");
        await nothingWritten(raw);
      }));

    it.skipIf(!h.file)("opening with invalid options is refused with INVALID_ARGUMENT", async () => {
      const first = await h.create();
      try {
        await first.repo.close();
        const file = first.file!;
        for (const options of [
          { retention: { maxAgeHours: -1 } },
          { retention: { maxMessages: 1.5 } },
          { savedSessions: { maxSaved: -2 } },
          { clearTriggersBeforeFullWipe: 0 },
        ]) {
          let caught: unknown;
          try {
            const opened = await h.reopen(file, options);
            await opened.dispose();
          } catch (error) {
            caught = error;
          }
          expect(caught, JSON.stringify(options)).toMatchObject({ code: "INVALID_ARGUMENT" });
        }
      } finally {
        await first.dispose();
      }
    });
  });
}
