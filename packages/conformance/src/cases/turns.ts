import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, count, rawEvents, user, withDb } from "./support.ts";

export function turnCases(h: DriverHarness): void {
  describe("handleUserMessagePersistence", () => {
    it("stores the user message with its request id and returns true", () =>
      withDb(h, async ({ repo, raw }) => {
        expect(await repo.handleUserMessagePersistence("c", "hello", "r1")).toBe(true);
        const [row] = await rawEvents(raw, "c");
        expect(row).toMatchObject({
          type: "user_message",
          role: "user",
          content: "hello",
          request_id: "r1",
          seq: 1,
        });
        expect(await repo.getEventByRequestId("c", "r1")).toMatchObject({ content: "hello", role: "user" });
      }));

    it("returns false on a retry and stores nothing more", () =>
      withDb(h, async ({ repo, raw }) => {
        expect(await repo.handleUserMessagePersistence("c", "hello", "r1")).toBe(true);
        expect(await repo.handleUserMessagePersistence("c", "hello", "r1")).toBe(false);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(1);
      }));

    it("returns false when the request was already answered, even if its user message is gone", () =>
      withDb(h, async ({ repo, raw }) => {
        await repo.persistAssistantMessage("c", "r1", "answer", "m");
        expect(await repo.handleUserMessagePersistence("c", "hello", "r1")).toBe(false);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'user_message'")).toBe(0);
        // A legacy reply, keyed only by user_request_id, counts as an answer too.
        await add(repo, assistant("c", "legacy", { user_request_id: "r2" }));
        expect(await repo.handleUserMessagePersistence("c", "hello", "r2")).toBe(false);
      }));

    it("concurrent identical requests store one message and exactly one caller gets true", () =>
      withDb(h, async ({ repo, raw }) => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => repo.handleUserMessagePersistence("c", "hi", "same")),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(1);
      }));

    it("stores part-array user messages as parts", () =>
      withDb(h, async ({ repo, raw }) => {
        const parts = [{ type: "text" as const, text: "a" }];
        expect(await repo.handleUserMessagePersistence("c", parts, "r1")).toBe(true);
        expect((await repo.getEvents("c"))[0]?.content).toEqual(parts);
        expect((await rawEvents(raw, "c"))[0]?.content_format).toBe("parts");
      }));
  });

  describe("persistAssistantMessage", () => {
    it("stores the reply keyed assistant:<requestId> with model and provider", () =>
      withDb(h, async ({ repo, raw }) => {
        await repo.handleUserMessagePersistence("c", "q", "r1");
        const reply = await repo.persistAssistantMessage("c", "r1", "answer", "model-x", "prov-y");
        expect(reply).toMatchObject({
          conversationId: "c",
          seq: 2,
          type: "assistant_message",
          role: "assistant",
          content: "answer",
          model: "model-x",
          provider: "prov-y",
          extra: { request_id: "assistant:r1", user_request_id: "r1" },
        });
        const [row] = await raw.all("SELECT * FROM chat_events WHERE seq = 2 AND conversation_id = 'c'");
        expect(row).toMatchObject({ request_id: "assistant:r1", content: "answer", model: "model-x" });
        expect(await repo.getEvents("c")).toContainEqual(reply);
      }));

    it("is idempotent: a retry returns the first reply and adds nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        const first = await repo.persistAssistantMessage("c", "r1", "answer", "m");
        const second = await repo.persistAssistantMessage("c", "r1", "different retry text", "m2");
        expect(second).toEqual(first);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(1);
      }));

    it("stores null and part-array replies without altering them", () =>
      withDb(h, async ({ repo }) => {
        const parts = [
          { type: "text" as const, text: "x" },
          { type: "text" as const, text: "x" },
        ];
        expect((await repo.persistAssistantMessage("c", "r1", null, null)).content).toBeNull();
        expect((await repo.persistAssistantMessage("c", "r2", parts, null)).content).toEqual(parts);
        const events = await repo.getEvents("c");
        expect(events.map((e) => e.content)).toEqual([null, parts]);
      }));

    it("a second user turn in the same conversation is independent of the first", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "q1", { request_id: "r1" }));
        const a1 = await repo.persistAssistantMessage("c", "r1", "a1", null);
        await add(repo, user("c", "q2", { request_id: "r2" }));
        const a2 = await repo.persistAssistantMessage("c", "r2", "a2", null);
        expect(a2.id).not.toBe(a1.id);
        expect((await repo.getEvents("c")).map((e) => e.content)).toEqual(["q1", "a1", "q2", "a2"]);
      }));
  });
}
