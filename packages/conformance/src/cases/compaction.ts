import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, count, delta, user, withDb } from "./support.ts";

export function compactionCases(h: DriverHarness): void {
  describe("compactDeltas", () => {
    it("replaces one turn's deltas with the final assistant message", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        for (const text of ["Hel", "lo", "!"]) await add(repo, delta("c", "r1", text));
        const reply = await repo.compactDeltas("c", "r1", "Hello!", "model-z");
        expect(reply).toMatchObject({
          conversationId: "c",
          type: "assistant_message",
          role: "assistant",
          content: "Hello!",
          model: "model-z",
          extra: { request_id: "assistant:r1", user_request_id: "r1" },
        });
        expect(reply.seq).toBe(5);
        const events = await repo.getEvents("c");
        expect(events.map((e) => e.type)).toEqual(["user_message", "assistant_message"]);
        expect(events[1]).toEqual(reply);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'meta'")).toBe(0);
        const [row] = await raw.all(
          "SELECT request_id, content, model FROM chat_events WHERE type = 'assistant_message'",
        );
        expect(row).toEqual({ request_id: "assistant:r1", content: "Hello!", model: "model-z" });
      }));

    it("leaves other turns' deltas, other meta events and other conversations alone", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, delta("c", "r1", "mine"));
        const otherTurn = await add(repo, delta("c", "r2", "another turn"));
        const otherKind = await add(repo, {
          conversationId: "c",
          type: "meta",
          content: "tool progress",
          extra: { kind: "progress", user_request_id: "r1" },
        });
        const otherConversation = await add(repo, delta("d", "r1", "same request id elsewhere"));
        await repo.compactDeltas("c", "r1", "done");
        const left = await raw.all(
          "SELECT id FROM chat_events WHERE type = 'meta' ORDER BY conversation_id, seq",
        );
        expect(left.map((r) => r.id)).toEqual([otherTurn.id, otherKind.id, otherConversation.id]);
      }));

    it("is idempotent: a second call returns the same message and adds nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        await add(repo, delta("c", "r1", "a"));
        const first = await repo.compactDeltas("c", "r1", "a");
        const rowsBefore = await raw.all("SELECT id, seq FROM chat_events ORDER BY seq");
        const second = await repo.compactDeltas("c", "r1", "a different final text", "other-model");
        expect(second).toEqual(first);
        expect(await raw.all("SELECT id, seq FROM chat_events ORDER BY seq")).toEqual(rowsBefore);
      }));

    it("concurrent compactions of one turn produce a single reply", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        for (let i = 0; i < 10; i++) await add(repo, delta("c", "r1", `d${i}`));
        const replies = await Promise.all(
          Array.from({ length: 8 }, () => repo.compactDeltas("c", "r1", "final")),
        );
        expect(new Set(replies.map((r) => r.id)).size).toBe(1);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'assistant_message'")).toBe(1);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'meta'")).toBe(0);
      }));

    it("returns the reply persistAssistantMessage stored for the same request instead of adding one", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        await add(repo, delta("c", "r1", "x"));
        const persisted = await repo.persistAssistantMessage("c", "r1", "x", "m");
        const compacted = await repo.compactDeltas("c", "r1", "x");
        expect(compacted).toEqual(persisted);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'assistant_message'")).toBe(1);
      }));

    it("works with no deltas at all (a turn that streamed nothing)", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        const reply = await repo.compactDeltas("c", "r1", "");
        expect(reply.content).toBe("");
        expect((await repo.getEvents("c")).length).toBe(2);
      }));
  });
}
