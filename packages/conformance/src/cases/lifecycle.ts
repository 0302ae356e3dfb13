import type { EngineChatRepository } from "@chatlog/engine";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, rejectsWith, user, withDb } from "./support.ts";

const AFTER_CLOSE: [string, (repo: EngineChatRepository) => Promise<unknown>][] = [
  ["addEvent", (r) => r.addEvent(user("c", "x"))],
  ["getEvents", (r) => r.getEvents("c")],
  ["getConversationHistory", (r) => r.getConversationHistory("c")],
  ["listConversations", (r) => r.listConversations()],
  ["getEventByRequestId", (r) => r.getEventByRequestId("c", "r")],
  ["getLastAssistantReplyId", (r) => r.getLastAssistantReplyId("c", "r")],
  ["getExistingAssistantResponse", (r) => r.getExistingAssistantResponse("c", "r")],
  ["compactDeltas", (r) => r.compactDeltas("c", "r", "x")],
  ["handleClearSession", (r) => r.handleClearSession()],
  ["handleUserMessagePersistence", (r) => r.handleUserMessagePersistence("c", "x", "r2")],
  ["buildLlmConversation", (r) => r.buildLlmConversation("c", "x", "sys")],
  ["persistAssistantMessage", (r) => r.persistAssistantMessage("c", "r", "x", null)],
  ["runRetention", (r) => r.runRetention()],
  ["saveSession", (r) => r.saveSession("c")],
  ["listSavedSessions", (r) => r.listSavedSessions()],
  ["listSavedSessionsPage", (r) => r.listSavedSessionsPage()],
  ["loadSavedSession", (r) => r.loadSavedSession("s")],
  ["loadSavedSessionPage", (r) => r.loadSavedSessionPage("s")],
  ["getTurnEvents", (r) => r.getTurnEvents("c", "r")],
  ["listUnfinishedTurns", (r) => r.listUnfinishedTurns()],
  ["importEvents", (r) => r.importEvents([])],
  ["stats", (r) => r.stats()],
  ["pragmas", (r) => r.pragmas()],
];

export function lifecycleCases(h: DriverHarness): void {
  describe("close", () => {
    it("every call after close() is refused with CLOSED; close() twice is harmless", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "x"));
        await repo.close();
        await repo.close();
        for (const [name, call] of AFTER_CLOSE) {
          const error = await rejectsWith(() => call(repo), "CLOSED");
          expect(error.code, name).toBe("CLOSED");
        }
      }));

    it("writes issued before close() are committed", () =>
      withDb(h, async ({ repo, raw }) => {
        const pending = Array.from({ length: 50 }, (_, i) => repo.addEvent(user("c", `m${i}`)));
        await repo.close();
        const results = await Promise.all(pending);
        expect(results.every((r) => r.added)).toBe(true);
        // The raw connection is separate from the repository's (or, for :memory:, owned by the caller).
        const [row] = await raw.all("SELECT COUNT(*) AS n FROM chat_events");
        expect(Number(row?.n)).toBe(50);
      }));

    it.skipIf(!h.file)("data written before close is there after reopening the file", async () => {
      const first = await h.create();
      try {
        const stored = await add(first.repo, user("c", "persisted", { request_id: "r" }));
        await first.repo.close();
        const second = await h.reopen(first.file!);
        try {
          expect(await second.repo.getEvents("c")).toEqual([stored]);
          expect((await second.repo.addEvent(user("c", "dup", { request_id: "r" }))).added).toBe(false);
          expect((await add(second.repo, user("c", "next"))).seq).toBe(2);
        } finally {
          await second.dispose();
        }
      } finally {
        await first.dispose();
      }
    });
  });
}
