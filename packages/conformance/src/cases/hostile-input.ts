import type { NewChatEvent } from "@chatlog/core";
import { assistantReplyKey, MAX_JSON_DEPTH } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import { exportedEvent } from "../fixtures.ts";
import type { DriverHarness } from "../harness.ts";
import { count, countEvents, rejectsWith, toolCall, user, withDb } from "./support.ts";

/** Ids a hostile or careless client might send; each must be refused. */
const BAD_IDS: [string, string][] = [
  ["a NUL", "a\u0000b"],
  ["a line feed", "a\nb"],
  ["an escape sequence", "a\u001b[2Jb"],
  ["DEL", "a\u007fb"],
  ["a C1 control", "a\u009bb"],
  ["a lone high surrogate", "a\ud83db"],
  ["a lone low surrogate", "\ude00"],
  ["513 characters", "x".repeat(513)],
];

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

export function hostileInputCases(h: DriverHarness): void {
  describe("ids are printable, bounded text", () => {
    for (const [what, id] of BAD_IDS) {
      it(`an id with ${what} is refused everywhere it enters, and nothing is written`, () =>
        withDb(h, async ({ repo, raw }) => {
          for (const event of [
            user(id, "q"),
            { ...user("c", "q"), id },
            user("c", "q", { request_id: id }),
            { conversationId: "c", type: "meta", extra: { user_request_id: id } } as NewChatEvent,
          ]) {
            await rejectsWith(() => repo.addEvent(event), "INVALID_EVENT");
          }
          for (const call of [
            () => repo.handleUserMessagePersistence(id, "q", "r"),
            () => repo.handleUserMessagePersistence("c", "q", id),
            () => repo.persistAssistantMessage("c", id, "a", null),
            () => repo.compactDeltas(id, "r", "a"),
            () => repo.getEvents(id),
            () => repo.getConversationHistory(id),
            () => repo.getEventByRequestId("c", id),
            () => repo.getExistingAssistantResponse("c", id),
            () => repo.saveSession(id),
            () => repo.loadSavedSession(id),
            () => repo.deleteConversation(id),
          ]) {
            await rejectsWith(call, "INVALID_ARGUMENT");
          }
          expect(await countEvents(raw)).toBe(0);
        }));
    }

    it("NUL (which Postgres cannot store) is INVALID_EVENT on every driver, anywhere in an event, with nothing written", () =>
      withDb(h, async ({ repo, raw }) => {
        const nul = "a\u0000b";
        for (const event of [
          user("c", nul),
          { ...user("c", "q"), model: nul },
          { ...user("c", "q"), provider: nul },
          { ...user("c", "q"), stopReason: nul },
          user("c", "q", { note: nul }),
          user("c", "q", { [nul]: 1 }),
          { ...user("c", "q"), content: [{ type: "text", text: nul }] },
          { ...user("c", "q"), raw: { deep: [nul] } },
          { ...toolCall("c", "t1"), toolCalls: [{ id: "t1", name: "f", arguments: { q: nul } }] },
        ]) {
          await rejectsWith(() => repo.addEvent(event), "INVALID_EVENT");
        }
        await rejectsWith(() => repo.handleUserMessagePersistence("c", nul, "r1"), "INVALID_EVENT");
        await rejectsWith(() => repo.persistAssistantMessage("c", "r1", nul, null), "INVALID_EVENT");
        const imported = exportedEvent({
          id: "e1",
          conversationId: "c",
          seq: 1,
          createdAt: new Date(),
          content: nul,
        });
        await rejectsWith(() => repo.importEvents([imported]), "INVALID_EVENT");
        expect(await countEvents(raw)).toBe(0);
      }));

    it("printable non-ASCII ids (emoji, accents, 512 characters) are accepted and round-trip", () =>
      withDb(h, async ({ repo }) => {
        const ids = ["chat 😀 é", "ü".repeat(512), "a:b/c?d#e"];
        for (const id of ids) {
          expect(await repo.handleUserMessagePersistence(id, "q", id)).toBe(true);
          expect((await repo.getEventByRequestId(id, id))?.conversationId).toBe(id);
        }
        const page = await repo.listConversations();
        expect(page.conversations.map((c) => c.conversationId).sort()).toEqual([...ids].sort());
      }));
  });

  describe("text must be well-formed Unicode: a lone surrogate is refused, never altered", () => {
    const lone = "before \ud800 after";
    const cases: [string, NewChatEvent][] = [
      ["string content", user("c", lone)],
      ["a text part", { conversationId: "c", type: "user_message", content: [{ type: "text", text: lone }] }],
      ["extra", user("c", "q", { note: lone })],
      ["an extra key", user("c", "q", { [lone]: 1 })],
      ["raw", { ...user("c", "q"), raw: [lone] }],
      ["model", { ...user("c", "q"), model: lone }],
      [
        "tool arguments",
        {
          conversationId: "c",
          type: "tool_call",
          toolCalls: [{ id: "t1", name: "lookup", arguments: { q: lone } }],
        },
      ],
    ];
    for (const [what, event] of cases) {
      it(`in ${what}: INVALID_EVENT, nothing written`, () =>
        withDb(h, async ({ repo, raw }) => {
          const error = await rejectsWith(() => repo.addEvent(event), "INVALID_EVENT");
          expect(error.message).toMatch(/surrogate/);
          expect(await countEvents(raw)).toBe(0);
        }));
    }

    it("the turn helpers refuse it too; paired surrogates (emoji) are stored exactly", () =>
      withDb(h, async ({ repo, raw }) => {
        await rejectsWith(() => repo.handleUserMessagePersistence("c", lone, "r1"), "INVALID_EVENT");
        await rejectsWith(() => repo.persistAssistantMessage("c", "r1", lone, null), "INVALID_EVENT");
        await rejectsWith(() => repo.compactDeltas("c", "r1", lone), "INVALID_EVENT");
        expect(await countEvents(raw)).toBe(0);
        const emoji = "😀 \ud83d\ude00 𝄞";
        const { event } = await repo.addEvent({ ...user("c", emoji, { e: emoji }), raw: emoji });
        const [stored] = await repo.getEvents("c");
        expect(stored).toEqual(event);
        expect(stored?.content).toBe(emoji);
        const [row] = await raw.all("SELECT content FROM chat_events");
        expect(row?.content).toBe(emoji);
      }));
  });

  describe("JSON nesting is limited", () => {
    it(`extra nested up to ${MAX_JSON_DEPTH} levels round-trips; deeper is INVALID_EVENT, nothing written`, () =>
      withDb(h, async ({ repo, raw }) => {
        const ok = nested(MAX_JSON_DEPTH);
        const { event } = await repo.addEvent(user("c", "q", ok as never));
        expect((await repo.getEvents("c"))[0]?.extra).toEqual(event.extra);
        for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 200_000]) {
          const error = await rejectsWith(
            () => repo.addEvent(user("d", "q", nested(depth) as never)),
            "INVALID_EVENT",
          );
          expect(error.details).toMatchObject({ field: "extra", reason: "too_deep" });
          const deepRaw = { ...user("d", "q"), raw: nested(depth) as never };
          await rejectsWith(() => repo.addEvent(deepRaw), "INVALID_EVENT");
        }
        expect(await countEvents(raw, "d")).toBe(0);
      }));
  });

  describe("client request ids cannot take chatlog's own keys", () => {
    it("a reserved request id is refused, and the request it imitates still works", () =>
      withDb(h, async ({ repo, raw }) => {
        for (const key of [
          assistantReplyKey("r9"),
          assistantReplyKey("r9", 2),
          "tool_call:x",
          "tool_result:x",
        ]) {
          await rejectsWith(() => repo.handleUserMessagePersistence("c", "hijack", key), "INVALID_ARGUMENT");
          await rejectsWith(
            () => repo.addEvent(user("c", "hijack", { request_id: key })),
            "INVALID_ARGUMENT",
          );
          await rejectsWith(() => repo.persistAssistantMessage("c", key, "x", null), "INVALID_ARGUMENT");
          await rejectsWith(() => repo.compactDeltas("c", key, "x"), "INVALID_ARGUMENT");
        }
        expect(await countEvents(raw)).toBe(0);
        expect(await repo.handleUserMessagePersistence("c", "real question", "r9")).toBe(true);
        const reply = await repo.persistAssistantMessage("c", "r9", "real answer", "m");
        expect(await repo.getExistingAssistantResponse("c", "r9")).toEqual(reply);
        // Words that merely start like a reserved one are ordinary client keys.
        expect(await repo.handleUserMessagePersistence("c", "q", "assistants-r9")).toBe(true);
      }));
  });

  describe("a request id reused for a different message", () => {
    it("is REQUEST_ID_CONFLICT and writes nothing; the same message again is a retry", () =>
      withDb(h, async ({ repo, raw }) => {
        expect(await repo.handleUserMessagePersistence("c", "first question", "r1")).toBe(true);
        const conflict = await rejectsWith(
          () => repo.handleUserMessagePersistence("c", "another question", "r1"),
          "REQUEST_ID_CONFLICT",
        );
        expect(conflict.details).toMatchObject({ conversationId: "c", requestId: "r1" });
        expect(await repo.handleUserMessagePersistence("c", "first question", "r1")).toBe(false);
        // After the reply is stored: still a conflict for other content, a retry for the same.
        await repo.persistAssistantMessage("c", "r1", "answer", null);
        await rejectsWith(
          () => repo.handleUserMessagePersistence("c", "changed", "r1"),
          "REQUEST_ID_CONFLICT",
        );
        expect(await repo.handleUserMessagePersistence("c", "first question", "r1")).toBe(false);
        expect(await countEvents(raw)).toBe(2);
        // The same id in another conversation is another request.
        expect(await repo.handleUserMessagePersistence("other", "another question", "r1")).toBe(true);
      }));

    it("part arrays compare by value, key order aside; a string is not its parts", () =>
      withDb(h, async ({ repo, raw }) => {
        const parts = [{ type: "image", url: "u", detail: "low" }];
        expect(await repo.handleUserMessagePersistence("c", parts, "r1")).toBe(true);
        expect(
          await repo.handleUserMessagePersistence("c", [{ detail: "low", url: "u", type: "image" }], "r1"),
        ).toBe(false);
        await rejectsWith(
          () => repo.handleUserMessagePersistence("c", [{ type: "image", url: "v", detail: "low" }], "r1"),
          "REQUEST_ID_CONFLICT",
        );
        expect(await repo.handleUserMessagePersistence("c", "x", "r2")).toBe(true);
        await rejectsWith(
          () => repo.handleUserMessagePersistence("c", [{ type: "text", text: "x" }], "r2"),
          "REQUEST_ID_CONFLICT",
        );
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(2);
      }));
  });
}
