import type { Content, JsonValue } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import { type DriverHarness, isPostgres, type RawDb } from "../harness.ts";
import {
  add,
  assistant,
  count,
  delta,
  expectValidToolPairing,
  rawEvents,
  toolCall,
  toolResult,
  user,
  withDb,
} from "./support.ts";

/** Each case fails on the Python seed's behaviour (SPEC section 4). */
export function seedDefectCases(h: DriverHarness): void {
  describe("seed defects (SPEC 4) are not reproduced", () => {
    it("defect 1: 500 concurrent appends to one conversation get seq 1..500, enforced by a unique index", () =>
      withDb(h, async ({ repo, raw }) => {
        const results = await Promise.all(
          Array.from({ length: 500 }, (_, i) => repo.addEvent(user("c", `m${i}`))),
        );
        expect(results.every((r) => r.added)).toBe(true);
        const returned = results.map((r) => r.event.seq).sort((a, b) => a - b);
        expect(returned).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
        const stored = (
          await raw.all("SELECT seq FROM chat_events WHERE conversation_id = 'c' ORDER BY seq")
        ).map((r) => Number(r.seq));
        expect(stored).toEqual(returned);

        const uniqueSeq = isPostgres(h) ? await postgresUniqueSeq(raw) : await sqliteUniqueSeq(raw);
        expect(uniqueSeq).toHaveLength(1);
        // The database itself refuses a duplicate seq, whoever writes it.
        await expect(
          raw.run(
            "INSERT INTO chat_events (id, conversation_id, seq, schema_version, type) VALUES ('dup', 'c', 7, 1, 'meta')",
          ),
        ).rejects.toThrow(/UNIQUE|duplicate key/i);
      }));

    it("defect 2: string content that looks like JSON round-trips as the same string", () =>
      withDb(h, async ({ repo, raw }) => {
        const strings = [
          "[1, 2, 3]",
          '["a"]',
          '[{"type":"text","text":"x"}]',
          "null",
          "",
          "[]",
          "{}",
          "[not json",
          "42",
        ];
        for (const s of strings) await add(repo, user("c", s));
        const parts: Content = [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ];
        await add(repo, { ...user("c", ""), content: parts });
        const events = await repo.getEvents("c");
        expect(events.map((e) => e.content)).toEqual([...strings, parts]);
        for (const e of events.slice(0, strings.length)) expect(typeof e.content).toBe("string");
        const rows = await rawEvents(raw, "c");
        expect(rows.map((r) => r.content_format)).toEqual([...strings.map(() => "text"), "parts"]);
        expect(rows.slice(0, strings.length).map((r) => r.content)).toEqual(strings);
        // History and the LLM messages see the same strings.
        const history = await repo.getConversationHistory("c");
        expect(history.map((e) => e.content)).toEqual([...strings, parts]);
      }));

    it("defect 3: tool results reach the model after the assistant message carrying their calls", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "what is 2+2?"));
        await add(repo, toolCall("c", "calc-1"));
        await add(repo, toolResult("c", "calc-1", "4"));
        await add(repo, assistant("c", "It is 4."));
        const messages = await repo.buildLlmConversation("c", "and 3+3?", "sys");
        expectValidToolPairing(messages);
        const callIndex = messages.findIndex((m) => m.role === "assistant" && m.tool_calls !== undefined);
        expect(callIndex).toBeGreaterThan(0);
        expect(messages[callIndex]).toMatchObject({
          tool_calls: [{ id: "calc-1", function: { name: "lookup" } }],
        });
        expect(messages[callIndex + 1]).toEqual({ role: "tool", tool_call_id: "calc-1", content: "4" });
      }));

    it("defect 4: a duplicate request id raced concurrently is reported, not thrown", () =>
      withDb(h, async ({ repo, raw }) => {
        const results = await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            repo.addEvent(user("c", `attempt ${i}`, { request_id: "same" })),
          ),
        );
        const added = results.filter((r) => r.added);
        expect(added).toHaveLength(1);
        const winner = added[0]!.event;
        for (const r of results.filter((x) => !x.added)) expect(r.event).toEqual(winner);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE request_id = 'same'")).toBe(1);
      }));

    it("defect 5: null content, usage, tokenCount and falsy raw values survive storage", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, {
          ...assistant("c", "x"),
          content: null,
          usage: { inputTokens: 7, outputTokens: 0 },
          tokenCount: 0,
        });
        const falsy: JsonValue[] = [{}, [], 0, false, ""];
        for (const value of falsy) await add(repo, { ...user("c", "r"), raw: value });
        await add(repo, user("c", "no raw"));
        const events = await repo.getEvents("c");
        expect(events[0]).toMatchObject({
          content: null,
          usage: { inputTokens: 7, outputTokens: 0 },
          tokenCount: 0,
        });
        expect(events.slice(1, 6).map((e) => e.raw)).toEqual(falsy);
        expect(events[6]?.raw).toBeNull();
        const rows = await rawEvents(raw, "c");
        expect(rows[0]).toMatchObject({ content: null, token_count: 0 });
        expect(JSON.parse(String(rows[0]?.usage))).toEqual({ inputTokens: 7, outputTokens: 0 });
        expect(rows.slice(1, 6).map((r) => r.raw)).toEqual(["{}", "[]", "0", "false", '""']);
      }));

    it('defect 6: a reply whose halves are equal is stored whole ("haha" stays "haha")', () =>
      withDb(h, async ({ repo, raw }) => {
        const reply = await repo.persistAssistantMessage("c", "r1", "haha", "m");
        expect(reply.content).toBe("haha");
        expect((await repo.getEvents("c"))[0]?.content).toBe("haha");
        expect((await rawEvents(raw, "c"))[0]?.content).toBe("haha");
        const compacted = await repo.compactDeltas("c", "r2", "byebye");
        expect(compacted.content).toBe("byebye");
      }));

    it("defect 7: list content reaches the model as its joined text parts", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, {
          ...user("c", "x"),
          content: [
            { type: "text", text: "first part" },
            { type: "image_url", image_url: { url: "https://example.invalid/a.png" } },
            { type: "text", text: "second part" },
          ],
        });
        await add(repo, { ...assistant("c", "x"), content: [{ type: "text", text: "only part" }] });
        const messages = await repo.buildLlmConversation("c", [{ type: "text", text: "now" }], "sys");
        expect(messages.map((m) => typeof m.content)).toEqual(["string", "string", "string", "string"]);
        expect(messages[1]?.content).toMatch(/^first part\s*second part$/);
        expect(messages[1]?.content).not.toMatch(/[{}[\]]|type|image/);
        expect(messages[2]?.content).toBe("only part");
        expect(messages[3]?.content).toBe("now");
      }));

    it("defect 8: the history limit keeps the most recent events and never splits a tool call from its results", () =>
      withDb(h, async ({ repo }) => {
        for (let i = 1; i <= 60; i++) await add(repo, user("c", `old ${i}`));
        await add(repo, user("c", "look it up"));
        await add(repo, toolCall("c", "t1", "t2"));
        await add(repo, toolResult("c", "t1"));
        await add(repo, toolResult("c", "t2"));
        await add(repo, assistant("c", "done"));
        // Windows of 1..5 events put the boundary on every position of the tool exchange.
        for (let limit = 1; limit <= 5; limit++) {
          const messages = await repo.buildLlmConversation("c", "next", "sys", { limit });
          expectValidToolPairing(messages);
          expect(messages.at(-2)).toEqual({ role: "assistant", content: "done" });
          expect(messages.some((m) => m.content === "old 1")).toBe(false);
        }
        const wide = await repo.buildLlmConversation("c", "next", "sys", { limit: 6 });
        expectValidToolPairing(wide);
        expect(wide.map((m) => m.role)).toEqual([
          "system",
          "user",
          "user",
          "assistant",
          "tool",
          "tool",
          "assistant",
          "user",
        ]);
        expect(wide[1]?.content).toBe("old 60");
        // The history window itself drops results whose call fell outside it (issue 9, point 21).
        const history = await repo.getConversationHistory("c", { limit: 3 });
        expect(history.map((e) => e.type)).toEqual(["assistant_message"]);
      }));

    it("defect 9: a visible system_update is sent as a system message at its position; an invisible one is not", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "before"));
        await add(repo, {
          conversationId: "c",
          type: "system_update",
          role: "system",
          content: "the user switched to French",
          extra: { visible_to_model: true },
        });
        await add(repo, {
          conversationId: "c",
          type: "system_update",
          role: "system",
          content: "internal note",
          extra: { visible_to_model: false },
        });
        await add(repo, assistant("c", "after"));
        expect(await repo.buildLlmConversation("c", "q", "sys")).toEqual([
          { role: "system", content: "sys" },
          { role: "user", content: "before" },
          { role: "system", content: "the user switched to French" },
          { role: "assistant", content: "after" },
          { role: "user", content: "q" },
        ]);
      }));

    it("defect 10: retried persistAssistantMessage plus compaction leave exactly one reply", () =>
      withDb(h, async ({ repo, raw }) => {
        await repo.handleUserMessagePersistence("c", "q", "r1");
        await add(repo, delta("c", "r1", "an"));
        await add(repo, delta("c", "r1", "swer"));
        const replies = await Promise.all([
          repo.persistAssistantMessage("c", "r1", "answer", "m"),
          repo.persistAssistantMessage("c", "r1", "answer", "m"),
          repo.compactDeltas("c", "r1", "answer", "m"),
        ]);
        replies.push(await repo.persistAssistantMessage("c", "r1", "answer", "m"));
        replies.push(await repo.compactDeltas("c", "r1", "answer", "m"));
        expect(new Set(replies.map((r) => r.id)).size).toBe(1);
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE type = 'assistant_message'")).toBe(1);
        const events = await repo.getEvents("c");
        expect(events.filter((e) => e.type === "assistant_message")).toHaveLength(1);
        expect(await repo.getExistingAssistantResponse("c", "r1")).toEqual(replies[0]);
      }));

    it("defect 11: compaction never lets a seq be issued twice", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "q", { request_id: "r1" }));
        const issued: number[] = [1];
        for (let i = 0; i < 5; i++) issued.push((await add(repo, delta("c", "r1", `d${i}`))).seq);
        const reply = await repo.compactDeltas("c", "r1", "final");
        expect(reply.seq).toBeGreaterThan(Math.max(...issued));
        issued.push(reply.seq);
        const next = await add(repo, user("c", "next"));
        expect(next.seq).toBeGreaterThan(Math.max(...issued));
        // Deleting the newest events (the reply is the tail here) must not free their seqs either.
        await raw.run("DELETE FROM chat_events WHERE conversation_id = 'c' AND seq = ?", next.seq);
        const after = await add(repo, user("c", "after delete"));
        expect(after.seq).toBeGreaterThan(next.seq);
        // A reader paging with afterSeq from the reply still sees everything that came later.
        expect((await repo.getEvents("c", { afterSeq: reply.seq })).map((e) => e.content)).toEqual([
          "after delete",
        ]);
      }));

    it("defect 12: created_at is stored as UTC milliseconds, independent of the writer's time zone", () =>
      withDb(h, async ({ repo, raw }) => {
        const createdAt = new Date(Date.UTC(2024, 6, 1, 23, 59, 59, 987));
        const given = await add(repo, { ...user("c", "x"), createdAt });
        const now = await add(repo, user("c", "y"));
        const rows = await rawEvents(raw, "c");
        for (const [i, e] of [given, now].entries()) {
          const ms = e.createdAt.getTime();
          expect(rows[i]?.created_at_ms).toBe(ms);
          expect(rows[i]?.created_at).toBe(e.createdAt.toISOString());
          expect(String(rows[i]?.created_at)).toMatch(/Z$/);
          expect(rows[i]?.created_at_unix).toBe(Math.floor(ms / 1000));
        }
        expect(rows[0]?.created_at_ms).toBe(1719878399987);
        expect(rows[0]?.created_at_unix).toBe(1719878399);
        const read = await repo.getEvents("c");
        expect(read[0]?.createdAt.getTime()).toBe(createdAt.getTime());
        expect(read[1]?.createdAt.getTime()).toBe(now.createdAt.getTime());
      }));

    it("defect 13: a retry before any reply is told apart from the first store", () =>
      withDb(h, async ({ repo, raw }) => {
        const first = await repo.handleUserMessagePersistence("c", "hello", "r1");
        const retry = await repo.handleUserMessagePersistence("c", "hello", "r1");
        expect([first, retry]).toEqual([true, false]);
        expect(await repo.getExistingAssistantResponse("c", "r1")).toBeNull();
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(1);
      }));

    it.runIf(isPostgres(h))(
      "defect 14 on Postgres: calls reuse the pool's connections instead of opening new ones",
      () =>
        withDb(h, async ({ repo, raw }) => {
          const connections = () =>
            count(raw, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()");
          await repo.getEvents("c");
          const before = await connections();
          for (let i = 0; i < 100; i++) {
            await add(repo, user(`c${i % 7}`, `m${i}`, { request_id: `r${i}` }));
            await repo.getEvents(`c${i % 7}`, { limit: 5 });
          }
          await Promise.all(Array.from({ length: 40 }, (_, i) => repo.getEvents(`c${i % 7}`)));
          // The pool (10 by default) plus the raw connection, however many calls were made.
          expect(before).toBeGreaterThanOrEqual(2);
          expect(await connections()).toBeLessThanOrEqual(11);
        }),
    );

    // SQLite's pragmas (journal mode, synchronous, busy timeout) have no Postgres counterpart.
    it.skipIf(isPostgres(h))(
      "defect 14: the connection stays open with WAL, synchronous=NORMAL and a busy timeout",
      () =>
        withDb(h, async ({ repo, raw }) => {
          const expected = { journalMode: h.file ? "wal" : "memory", synchronous: 1 };
          const before = await repo.pragmas();
          expect(before).toMatchObject(expected);
          // A remote server waits for locks itself (the Hrana test server asynchronously, with the
          // native timeout at 0); chatlog sets no pragmas there.
          if (h.remoteOf === undefined) expect(before.busyTimeout).toBeGreaterThan(0);
          for (let i = 0; i < 100; i++) {
            await add(repo, user(`c${i % 7}`, `m${i}`, { request_id: `r${i}` }));
            await repo.getEvents(`c${i % 7}`, { limit: 5 });
          }
          await repo.listConversations();
          await repo.compactDeltas("c0", "r0", "x");
          const after = await repo.pragmas();
          expect(after).toEqual(before);
          if (h.file) {
            // WAL is a property of the file: another connection sees it too.
            const [mode] = await raw.all("PRAGMA journal_mode");
            expect(String(Object.values(mode ?? {})[0]).toLowerCase()).toBe("wal");
          }
        }),
    );
  });
}

/** Names of SQLite's unique indexes on exactly (conversation_id, seq). */
async function sqliteUniqueSeq(raw: RawDb): Promise<string[]> {
  const indexes = await raw.all("SELECT name, \"unique\" AS is_unique FROM pragma_index_list('chat_events')");
  const names: string[] = [];
  for (const index of indexes.filter((i) => Number(i.is_unique) === 1)) {
    const columns = await raw.all("SELECT name FROM pragma_index_info(?) ORDER BY seqno", index.name);
    if (columns.map((c) => c.name).join(",") === "conversation_id,seq") names.push(String(index.name));
  }
  return names;
}

/** Names of Postgres's unique indexes on exactly (conversation_id, seq). */
async function postgresUniqueSeq(raw: RawDb): Promise<string[]> {
  const indexes = await raw.all(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'chat_events' AND indexdef LIKE 'CREATE UNIQUE%'",
  );
  return indexes
    .filter((i) => /\(conversation_id, seq\)$/.test(String(i.indexdef)))
    .map((i) => String(i.indexname));
}
