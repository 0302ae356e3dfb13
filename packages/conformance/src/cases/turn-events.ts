import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, delta, toolResult, user, withDb } from "./support.ts";

export function turnEventCases(h: DriverHarness): void {
  describe("turn events", () => {
    it("getTurnEvents returns one turn's deltas, tool events and reply in seq order", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        const d1 = await add(repo, delta("c", "r1", "a"));
        await add(repo, delta("c", "r2", "other turn"));
        const call = await add(repo, {
          conversationId: "c",
          type: "tool_call",
          role: "assistant",
          toolCalls: [{ id: "t", name: "f", arguments: {} }],
          extra: { user_request_id: "r1" },
        });
        const result = await add(repo, {
          ...toolResult("c", "t"),
          extra: { tool_call_id: "t", user_request_id: "r1" },
        });
        const d2 = await add(repo, delta("c", "r1", "b"));
        await add(repo, delta("other", "r1", "other conversation"));
        expect(await repo.getTurnEvents("c", "r1")).toEqual([d1, call, result, d2]);
        const reply = await repo.compactDeltas("c", "r1", "ab");
        expect(await repo.getTurnEvents("c", "r1")).toEqual([call, result, reply]);
        expect(await repo.getTurnEvents("c", "none")).toEqual([]);
      }));

    it("listUnfinishedTurns lists turns with deltas and no reply, until they are finalized", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("a", "q", { request_id: "r1" }));
        await add(repo, delta("a", "r1", "x"));
        await add(repo, delta("a", "r1", "y"));
        await add(repo, delta("b", "r9", "z"));
        await add(repo, user("c", "answered", { request_id: "r2" }));
        await repo.persistAssistantMessage("c", "r2", "done", null);
        const sorted = (await repo.listUnfinishedTurns()).sort((x, y) =>
          x.conversationId.localeCompare(y.conversationId),
        );
        expect(sorted).toEqual([
          { conversationId: "a", userRequestId: "r1" },
          { conversationId: "b", userRequestId: "r9" },
        ]);
        await repo.compactDeltas("a", "r1", "xy");
        expect(await repo.listUnfinishedTurns()).toEqual([{ conversationId: "b", userRequestId: "r9" }]);
      }));

    it("compactDeltas merges caller extra into the reply but keeps its own keys", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, delta("c", "r1", "part"));
        const reply = await repo.compactDeltas("c", "r1", "part", null, {
          interrupted: true,
          request_id: "attempt-to-override",
        });
        expect(reply.extra).toEqual({ interrupted: true, user_request_id: "r1", request_id: "assistant:r1" });
        expect(await repo.getEventByRequestId("c", "assistant:r1")).toEqual(reply);
      }));
  });
}
