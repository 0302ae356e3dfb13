import { describe, expect, it } from "vitest";
import { type DriverHarness, isPostgres } from "../harness.ts";
import { add, assistant, count, countEvents, delta, rejectsWith, user, withDb } from "./support.ts";

export function deleteConversationCases(h: DriverHarness): void {
  describe("deleteConversation", () => {
    it("erases the conversation's events, summary and saved sessions, and nothing else", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("gone", "q1", { request_id: "r1" }));
        await add(repo, delta("gone", "r2", "partial"));
        await add(repo, assistant("gone", "a1"));
        await add(repo, user("kept", "other", { request_id: "r1" }));
        const savedGone = await repo.saveSession("gone", "one");
        await repo.saveSession("gone", "two");
        const savedKept = await repo.saveSession("kept");

        expect(await repo.deleteConversation("gone")).toEqual({ deletedEvents: 3, deletedSavedSessions: 2 });

        expect(await countEvents(raw, "gone")).toBe(0);
        expect(
          await count(raw, "SELECT COUNT(*) FROM chat_conversations WHERE conversation_id = ?", "gone"),
        ).toBe(0);
        expect(
          await count(raw, "SELECT COUNT(*) FROM chat_saved_sessions WHERE conversation_id = ?", "gone"),
        ).toBe(0);
        expect(await repo.getEvents("gone")).toEqual([]);
        expect(await repo.getEventByRequestId("gone", "r1")).toBeNull();
        await rejectsWith(() => repo.loadSavedSession(savedGone), "NOT_FOUND");
        const page = await repo.listConversations();
        expect(page.conversations.map((c) => c.conversationId)).toEqual(["kept"]);
        expect((await repo.listSavedSessions()).map((s) => s.id)).toEqual([savedKept]);
        expect(await repo.listUnfinishedTurns()).toEqual([]);
        // The other conversation, even with the same request id, is untouched.
        expect((await repo.getEvents("kept")).map((e) => e.content)).toEqual(["other"]);
        expect((await repo.loadSavedSession(savedKept)).length).toBe(1);
        expect((await repo.stats()).events).toBe(1);
      }));

    it("an unknown conversation deletes nothing and is not an error; a reused id starts afresh", () =>
      withDb(h, async ({ repo }) => {
        expect(await repo.deleteConversation("never")).toEqual({ deletedEvents: 0, deletedSavedSessions: 0 });
        await add(repo, user("c", "old", { request_id: "r1" }));
        await add(repo, user("c", "old 2"));
        await repo.deleteConversation("c");
        // The request id is free again: the old message is gone, not replayed.
        expect(await repo.handleUserMessagePersistence("c", "new", "r1")).toBe(true);
        const events = await repo.getEvents("c");
        expect(events.map((e) => [e.seq, e.content])).toEqual([[1, "new"]]);
      }));

    it("is one transaction: a failure part way leaves everything in place", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q"));
        await add(repo, assistant("c", "a"));
        await repo.saveSession("c");
        if (isPostgres(h)) {
          await raw.run(
            `CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'refused by test'; END $$`,
          );
          await raw.run(
            "CREATE TRIGGER test_refuse BEFORE DELETE ON chat_saved_sessions FOR EACH ROW EXECUTE FUNCTION test_refuse()",
          );
        } else {
          await raw.run(
            `CREATE TRIGGER test_refuse BEFORE DELETE ON chat_saved_sessions
             BEGIN SELECT RAISE(ABORT, 'refused by test'); END`,
          );
        }
        await rejectsWith(() => repo.deleteConversation("c"), "STORAGE_ERROR");
        expect(await countEvents(raw, "c")).toBe(2);
        expect(
          await count(raw, "SELECT event_count FROM chat_conversations WHERE conversation_id = 'c'"),
        ).toBe(2);
        await raw.run(
          isPostgres(h) ? "DROP TRIGGER test_refuse ON chat_saved_sessions" : "DROP TRIGGER test_refuse",
        );
        expect(await repo.deleteConversation("c")).toEqual({ deletedEvents: 2, deletedSavedSessions: 1 });
      }));

    it("rejects a malformed conversation id", () =>
      withDb(h, async ({ repo }) => {
        await rejectsWith(() => repo.deleteConversation(""), "INVALID_ARGUMENT");
        await rejectsWith(() => repo.deleteConversation(42 as unknown as string), "INVALID_ARGUMENT");
      }));
  });
}
