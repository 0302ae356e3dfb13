import type { NewChatEvent } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, countEvents, rawEvents, user, withDb } from "./support.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function addEventCases(h: DriverHarness): void {
  describe("addEvent", () => {
    it("assigns seq 1, 2, 3 ... per conversation and fills the defaults", () =>
      withDb(h, async ({ repo }) => {
        const before = Date.now();
        const a1 = await add(repo, user("a", "one"));
        const b1 = await add(repo, user("b", "uno"));
        const a2 = await add(repo, user("a", "two"));
        expect([a1.seq, a2.seq, b1.seq]).toEqual([1, 2, 1]);
        expect(a1.id).toMatch(UUID);
        expect(a1).toMatchObject({
          conversationId: "a",
          schemaVersion: 1,
          type: "user_message",
          role: "user",
          content: "one",
          toolCalls: [],
          usage: null,
          provider: null,
          model: null,
          stopReason: null,
          tokenCount: null,
          extra: {},
          raw: null,
        });
        expect(a1.createdAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(a1.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
        const stored = await repo.getEvents("a");
        expect(stored).toEqual([a1, a2]);
      }));

    it("stores every field in its column (checked directly in chat_events)", () =>
      withDb(h, async ({ repo, raw }) => {
        const createdAt = new Date(Date.UTC(2024, 2, 3, 4, 5, 6, 789));
        const event: NewChatEvent = {
          id: "evt-1",
          conversationId: "c",
          type: "assistant_message",
          role: "assistant",
          content: [{ type: "text", text: "hi" }],
          toolCalls: [{ id: "call-1", name: "search", arguments: { q: "x" } }],
          usage: { inputTokens: 12, outputTokens: 3 },
          provider: "openai",
          model: "gpt-x",
          stopReason: "stop",
          tokenCount: 15,
          createdAt,
          extra: { request_id: "req-1", note: "n" },
          raw: { original: [1, 2] },
        };
        const stored = await add(repo, event);
        const [row] = await rawEvents(raw, "c");
        expect(row).toMatchObject({
          id: "evt-1",
          conversation_id: "c",
          seq: 1,
          schema_version: 1,
          type: "assistant_message",
          role: "assistant",
          content_format: "parts",
          provider: "openai",
          model: "gpt-x",
          stop_reason: "stop",
          token_count: 15,
          created_at: "2024-03-03T04:05:06.789Z",
          created_at_unix: Math.floor(createdAt.getTime() / 1000),
          created_at_ms: createdAt.getTime(),
          request_id: "req-1",
        });
        expect(JSON.parse(String(row?.content))).toEqual([{ type: "text", text: "hi" }]);
        expect(JSON.parse(String(row?.tool_calls))).toEqual([
          { id: "call-1", name: "search", arguments: { q: "x" } },
        ]);
        expect(JSON.parse(String(row?.usage))).toEqual({ inputTokens: 12, outputTokens: 3 });
        expect(JSON.parse(String(row?.extra))).toEqual({ request_id: "req-1", note: "n" });
        expect(JSON.parse(String(row?.raw))).toEqual({ original: [1, 2] });

        expect(stored).toEqual({ ...event, seq: 1, schemaVersion: 1 });
        expect((await repo.getEvents("c"))[0]).toEqual(stored);
      }));

    it("stores plain string content marked as text and a string request id in the generated column", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "hello", { request_id: "r-9" }));
        await add(repo, user("c", "no key"));
        const rows = await rawEvents(raw, "c");
        expect(rows.map((r) => [r.content, r.content_format, r.request_id])).toEqual([
          ["hello", "text", "r-9"],
          ["no key", "text", null],
        ]);
      }));

    it("round-trips every event type, tool calls with object or string arguments, and opaque parts", () =>
      withDb(h, async ({ repo }) => {
        const events: NewChatEvent[] = [
          {
            conversationId: "t",
            type: "system_update",
            role: "system",
            content: "s",
            extra: { visible_to_model: true },
          },
          { conversationId: "t", type: "user_message", role: "user", content: "u" },
          {
            conversationId: "t",
            type: "tool_call",
            role: "assistant",
            content: null,
            toolCalls: [
              { id: "a", name: "f", arguments: { nested: { deep: [1, "two", null, true] } } },
              { id: "b", name: "g", arguments: '{"as":"openai string"}' },
            ],
          },
          {
            conversationId: "t",
            type: "tool_result",
            role: "tool",
            content: "r",
            extra: { tool_call_id: "a" },
          },
          {
            conversationId: "t",
            type: "assistant_message",
            role: "assistant",
            content: [
              { type: "text", text: "look" },
              { type: "image_url", image_url: { url: "https://example.invalid/x.png" } },
            ],
          },
          { conversationId: "t", type: "meta", role: null, content: "m", extra: { kind: "anything" } },
        ];
        const stored = [];
        for (const e of events) stored.push(await add(repo, e));
        const read = await repo.getEvents("t");
        expect(read).toEqual(stored);
        expect(read.map((e) => e.type)).toEqual(events.map((e) => e.type));
        expect(read[2]?.toolCalls).toEqual(events[2]?.toolCalls);
        expect(read[4]?.content).toEqual(events[4]?.content);
      }));

    it("ignores a caller's seq and accepts a stored event passed back in as a duplicate", () =>
      withDb(h, async ({ repo, raw }) => {
        const first = await add(repo, { ...user("c", "x"), seq: 42 });
        expect(first.seq).toBe(1);
        const again = await repo.addEvent({ ...first, corruptFields: [] });
        expect(again.added).toBe(false);
        expect(again.event).toEqual(first);
        expect(await countEvents(raw)).toBe(1);
      }));

    it("reports a duplicate id as added:false with the stored event and never overwrites it", () =>
      withDb(h, async ({ repo, raw }) => {
        const first = await add(repo, { ...user("c", "original"), id: "fixed-id" });
        const dup = await repo.addEvent({ ...user("c", "echoed copy"), id: "fixed-id" });
        expect(dup).toEqual({ added: false, event: first });
        const rows = await rawEvents(raw, "c");
        expect(rows.map((r) => r.content)).toEqual(["original"]);
      }));

    it("reports a duplicate request id as added:false with the stored event; other conversations are independent", () =>
      withDb(h, async ({ repo, raw }) => {
        const first = await add(repo, user("c", "first", { request_id: "r" }));
        const dup = await repo.addEvent(user("c", "second", { request_id: "r" }));
        expect(dup.added).toBe(false);
        expect(dup.event).toEqual(first);
        const other = await repo.addEvent(user("d", "same key elsewhere", { request_id: "r" }));
        expect(other.added).toBe(true);
        expect(other.event.seq).toBe(1);
        expect(await countEvents(raw, "c")).toBe(1);
        // The duplicate consumed no seq.
        expect((await add(repo, user("c", "next"))).seq).toBe(2);
      }));

    it("keeps seq increasing across many sequential appends", () =>
      withDb(h, async ({ repo, raw }) => {
        for (let i = 0; i < 50; i++) await add(repo, user("c", `m${i}`));
        const rows = await rawEvents(raw, "c");
        expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(rows.map((r) => r.content)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
      }));
  });
}
