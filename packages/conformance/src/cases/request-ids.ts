import { describe, expect, it } from "vitest";
import { type DriverHarness, isPostgres } from "../harness.ts";
import { add, assistant, count, user, withDb } from "./support.ts";

export function requestIdCases(h: DriverHarness): void {
  describe("request ids", () => {
    it("getEventByRequestId finds the event in its conversation only", () =>
      withDb(h, async ({ repo }) => {
        const stored = await add(repo, user("c", "q", { request_id: "r1" }));
        await add(repo, user("c", "other", { request_id: "r2" }));
        expect(await repo.getEventByRequestId("c", "r1")).toEqual(stored);
        expect(await repo.getEventByRequestId("c", "missing")).toBeNull();
        expect(await repo.getEventByRequestId("elsewhere", "r1")).toBeNull();
      }));

    it("request_id is a generated column read from extra.request_id, backed by a partial unique index", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        await add(repo, user("c", "no key"));
        const rows = await raw.all("SELECT request_id FROM chat_events ORDER BY seq");
        expect(rows.map((r) => r.request_id)).toEqual(["r1", null]);
        if (isPostgres(h)) {
          // Postgres 15 has no virtual generated columns: a STORED one over extra ->> 'request_id'.
          const [column] = await raw.all(
            `SELECT is_generated, generation_expression FROM information_schema.columns
             WHERE table_name = 'chat_events' AND column_name = 'request_id'`,
          );
          expect(column?.is_generated).toBe("ALWAYS");
          expect(String(column?.generation_expression)).toMatch(/extra ->> 'request_id'/);
        } else {
          const columns = await raw.all("SELECT name, hidden FROM pragma_table_xinfo('chat_events')");
          const column = columns.find((c) => c.name === "request_id");
          // hidden = 2: a VIRTUAL generated column.
          expect(Number(column?.hidden)).toBe(2);
        }
        const indexes = await raw.all(
          isPostgres(h)
            ? "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename = 'chat_events' AND indexdef LIKE '%request_id%'"
            : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'chat_events' AND sql LIKE '%request_id%'",
        );
        const unique = indexes.find(
          (i) => /UNIQUE/i.test(String(i.sql)) && /WHERE\s+\(?request_id IS NOT NULL/i.test(String(i.sql)),
        );
        expect(unique, JSON.stringify(indexes)).toBeDefined();
        expect(
          await count(
            raw,
            "SELECT COUNT(*) FROM chat_events WHERE conversation_id = ? AND request_id = ?",
            "c",
            "r1",
          ),
        ).toBe(1);
      }));

    it("getLastAssistantReplyId returns the newest assistant reply to a user request", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        expect(await repo.getLastAssistantReplyId("c", "r1")).toBeNull();
        // Legacy replies (written before request-keyed replies) carry only user_request_id.
        await add(repo, assistant("c", "first", { user_request_id: "r1" }));
        const newer = await add(repo, assistant("c", "second", { user_request_id: "r1" }));
        await add(repo, assistant("c", "to another", { user_request_id: "r2" }));
        expect(await repo.getLastAssistantReplyId("c", "r1")).toBe(newer.id);
        expect(await repo.getLastAssistantReplyId("other", "r1")).toBeNull();
        // A meta event tagged with the same user request is not a reply.
        await add(repo, {
          conversationId: "c",
          type: "meta",
          content: "x",
          extra: { user_request_id: "r3", kind: "assistant_delta" },
        });
        expect(await repo.getLastAssistantReplyId("c", "r3")).toBeNull();
      }));

    it("getExistingAssistantResponse returns the cached reply event, or null", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        expect(await repo.getExistingAssistantResponse("c", "r1")).toBeNull();
        const reply = await repo.persistAssistantMessage("c", "r1", "the answer", "m-1", "prov");
        expect(await repo.getExistingAssistantResponse("c", "r1")).toEqual(reply);
        expect(await repo.getExistingAssistantResponse("c", "r2")).toBeNull();
        expect(await repo.getExistingAssistantResponse("other", "r1")).toBeNull();
      }));
  });
}
