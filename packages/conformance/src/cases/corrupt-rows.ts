import type { ChatlogError } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import { type DriverHarness, isPostgres, type RawDb } from "../harness.ts";
import { add, assistant, user, withDb } from "./support.ts";

const LEGACY_MS = Date.UTC(2024, 0, 15, 12, 0, 0, 123);

interface RawRow {
  id: string;
  seq: number;
  type?: string;
  role?: string | number | null;
  content?: string | Uint8Array | null;
  model?: string | Uint8Array | number | null;
  content_format?: string | null;
  tool_calls?: string | null;
  usage?: string | null;
  created_at?: string;
  created_at_unix?: number | null;
  created_at_ms?: number | null;
  extra?: string | null;
  raw?: string | null;
}

/** Writes a row as another program (or damage) would, bypassing the repository. */
async function insertRaw(raw: RawDb, conversationId: string, row: RawRow): Promise<void> {
  const now = Date.now();
  const values = {
    type: "user_message",
    role: "user",
    content: "ok",
    content_format: "text",
    tool_calls: null,
    usage: null,
    created_at: new Date(now).toISOString(),
    created_at_unix: Math.floor(now / 1000),
    created_at_ms: now,
    extra: "{}",
    raw: null,
    model: null,
    ...row,
  };
  await raw.run(
    `INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, role, content, content_format,
       tool_calls, usage, created_at, created_at_unix, created_at_ms, extra, raw, model)
     VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    values.id,
    conversationId,
    values.seq,
    values.type,
    values.role,
    values.content,
    values.content_format,
    values.tool_calls,
    values.usage,
    values.created_at,
    values.created_at_unix,
    values.created_at_ms,
    values.extra,
    values.raw,
    values.model,
  );
}

export function corruptRowCases(h: DriverHarness): void {
  describe("corrupt and legacy rows", () => {
    // Postgres's json columns refuse malformed JSON outright; its own case follows this one.
    it.skipIf(isPostgres(h))(
      "a damaged row is returned with corruptFields, reported through onCorruptRow, and the rest stays readable",
      async () => {
        const reported: ChatlogError[] = [];
        await withDb(
          h,
          async ({ repo, raw }) => {
            await add(repo, user("c", "first"));
            // SQLite itself refuses malformed JSON in extra (the generated request_id column parses it
            // for its unique index), so the damage that can reach a reader is JSON of the wrong shape.
            await expect(
              insertRaw(raw, "c", { id: "unparsable-extra", seq: 2, extra: "{not json" }),
            ).rejects.toThrow(/malformed JSON/i);
            await insertRaw(raw, "c", { id: "bad-extra", seq: 2, extra: "[1, 2]" });
            await insertRaw(raw, "c", { id: "bad-tools", seq: 3, type: "tool_call", tool_calls: '[{"id":' });
            await insertRaw(raw, "c", { id: "bad-raw", seq: 4, raw: "nope" });
            await insertRaw(raw, "c", { id: "bad-type", seq: 5, type: "mystery_event" });
            await insertRaw(raw, "c", { id: "bad-usage", seq: 6, usage: "[1,2" });
            await insertRaw(raw, "c", {
              id: "bad-parts",
              seq: 7,
              content: "[{broken",
              content_format: "parts",
            });
            await insertRaw(raw, "c", { id: "tools-not-list", seq: 8, tool_calls: '{"id":"x"}' });
            const last = await add(repo, assistant("c", "still works"));
            expect(last.seq).toBe(9);

            const events = await repo.getEvents("c");
            expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
            const corrupt = Object.fromEntries(events.map((e) => [e.id, e.corruptFields]));
            expect(corrupt).toMatchObject({
              "bad-extra": ["extra"],
              "bad-tools": ["tool_calls"],
              "bad-raw": ["raw"],
              "bad-type": ["type"],
              "bad-usage": ["usage"],
              "bad-parts": ["content"],
              "tools-not-list": ["tool_calls"],
            });
            expect(events[0]?.corruptFields).toBeUndefined();
            expect(events[8]?.corruptFields).toBeUndefined();
            // The undecodable field falls back to its default; the rest of the row is intact.
            const byId = new Map(events.map((e) => [e.id, e]));
            expect(byId.get("bad-extra")).toMatchObject({ extra: {}, content: "ok", type: "user_message" });
            expect(byId.get("bad-tools")?.toolCalls).toEqual([]);
            expect(byId.get("bad-raw")?.raw).toBeNull();
            expect(byId.get("bad-usage")?.usage).toBeNull();

            expect(reported.map((e) => e.code)).toEqual(Array(7).fill("CORRUPT_ROW"));
            expect(reported.every((e) => e.name === "ChatlogError")).toBe(true);
            expect(reported.map((e) => e.details.eventId)).toEqual([
              "bad-extra",
              "bad-tools",
              "bad-raw",
              "bad-type",
              "bad-usage",
              "bad-parts",
              "tools-not-list",
            ]);

            // The other readers cope too.
            expect((await repo.getConversationHistory("c")).length).toBeGreaterThan(0);
            const messages = await repo.buildLlmConversation("c", "next", "sys");
            expect(messages.at(0)).toEqual({ role: "system", content: "sys" });
            expect(messages.at(-1)).toEqual({ role: "user", content: "next" });
            expect((await repo.listConversations()).conversations[0]?.eventCount).toBe(9);
          },
          { onCorruptRow: (error) => reported.push(error) },
        );
      },
    );

    it.runIf(isPostgres(h))(
      "Postgres refuses malformed JSON; the damage it can hold is reported and the rest stays readable",
      async () => {
        const reported: ChatlogError[] = [];
        await withDb(
          h,
          async ({ repo, raw }) => {
            await add(repo, user("c", "first"));
            for (const damage of [
              { extra: "{not json" },
              { tool_calls: '[{"id":' },
              { raw: "nope" },
              { usage: "[1,2" },
            ]) {
              await expect(insertRaw(raw, "c", { id: "refused", seq: 2, ...damage })).rejects.toThrow(
                /json/i,
              );
            }
            await insertRaw(raw, "c", { id: "bad-extra", seq: 2, extra: "[1, 2]" });
            await insertRaw(raw, "c", { id: "bad-type", seq: 3, type: "mystery_event" });
            await insertRaw(raw, "c", {
              id: "bad-parts",
              seq: 4,
              content: "[{broken",
              content_format: "parts",
            });
            await insertRaw(raw, "c", { id: "tools-not-list", seq: 5, tool_calls: '{"id":"x"}' });
            await insertRaw(raw, "c", { id: "raw-wrong-shape", seq: 6, usage: "[1, 2]" });
            expect((await add(repo, assistant("c", "still works"))).seq).toBe(7);
            const events = await repo.getEvents("c");
            expect(Object.fromEntries(events.map((e) => [e.id, e.corruptFields]))).toMatchObject({
              "bad-extra": ["extra"],
              "bad-type": ["type"],
              "bad-parts": ["content"],
              "tools-not-list": ["tool_calls"],
              "raw-wrong-shape": ["usage"],
            });
            expect(reported.map((e) => e.code)).toEqual(Array(5).fill("CORRUPT_ROW"));
            // The list's title skips a damaged part array instead of failing the whole page.
            const page = await repo.listConversations();
            expect(page.conversations[0]).toMatchObject({ eventCount: 7, title: "first" });
            expect((await repo.getConversationHistory("c")).length).toBeGreaterThan(0);
          },
          { onCorruptRow: (error) => reported.push(error) },
        );
      },
    );

    // BLOBs and integers past 64 bits exist only in SQLite's dynamic types; Postgres's columns refuse them.
    it.skipIf(isPostgres(h))(
      "out-of-range times, BLOBs and unknown types are reported, and an export of them imports cleanly",
      async () => {
        const reported: ChatlogError[] = [];
        await withDb(
          h,
          async ({ repo, raw }) => {
            const good = await add(repo, user("c", "intact"));
            const fallbackIso = "2024-02-01T00:00:00.000Z";
            await insertRaw(raw, "c", {
              id: "far-future",
              seq: 2,
              created_at_ms: 1e20,
              created_at: fallbackIso,
            });
            await insertRaw(raw, "c", {
              id: "no-time",
              seq: 3,
              created_at_ms: -9e15, // a safe integer beyond what a Date holds
              created_at: "not a time",
              created_at_unix: null,
            });
            await insertRaw(raw, "c", {
              id: "blob-content",
              seq: 4,
              content: new TextEncoder().encode("bytes"),
            });
            await insertRaw(raw, "c", { id: "blob-model", seq: 5, model: new Uint8Array([0x6d, 0xff]) });
            await insertRaw(raw, "c", { id: "odd-kinds", seq: 6, type: "mystery", role: 7 });
            const after = await add(repo, assistant("c", "after"));

            const events = await repo.getEvents("c");
            expect(events.map((e) => e.id)).toEqual([
              good.id,
              "far-future",
              "no-time",
              "blob-content",
              "blob-model",
              "odd-kinds",
              after.id,
            ]);
            const byId = new Map(events.map((e) => [e.id, e]));
            expect(byId.get("far-future")).toMatchObject({
              createdAt: new Date(fallbackIso),
              corruptFields: ["created_at_ms"],
            });
            expect(byId.get("no-time")?.createdAt.getTime()).toBe(0);
            expect(byId.get("no-time")?.corruptFields).toEqual(["created_at_ms", "created_at"]);
            expect(byId.get("blob-content")).toMatchObject({ content: "bytes", corruptFields: ["content"] });
            expect(byId.get("blob-model")).toMatchObject({ model: "m\ufffd", corruptFields: ["model"] });
            expect(byId.get("odd-kinds")).toMatchObject({
              type: "meta",
              role: null,
              corruptFields: ["type", "role"],
            });
            expect(reported.find((e) => e.details.eventId === "odd-kinds")?.details).toMatchObject({
              storedType: "mystery",
            });
            // Every value is a plain one: no Buffer, no Invalid Date.
            for (const event of events) {
              expect(Number.isFinite(event.createdAt.getTime())).toBe(true);
              expect(JSON.stringify(event)).not.toContain('"type":"Buffer"');
            }
            // Every other reader goes on past them.
            expect((await repo.getConversationHistory("c")).length).toBeGreaterThan(0);
            expect((await repo.listConversations()).conversations[0]?.eventCount).toBe(7);
            const saved = await repo.saveSession("c");
            expect((await repo.loadSavedSession(saved)).length).toBe(7);

            // An export of the damaged conversation imports into a fresh database whole.
            await withDb(h, async (fresh) => {
              expect(await fresh.repo.importEvents(events)).toEqual({ imported: 7, skipped: 0 });
              const copied = await fresh.repo.getEvents("c");
              expect(copied).toEqual(events.map(({ corruptFields: _, ...event }) => event));
            });
          },
          { onCorruptRow: (error) => reported.push(error) },
        );
      },
    );

    // The Python system only ever wrote SQLite files: there are no legacy rows on Postgres.
    it.skipIf(isPostgres(h))(
      "a legacy row written by the Python system (no format marker, naive UTC time, 'null' content) decodes cleanly",
      async () => {
        const reported: ChatlogError[] = [];
        await withDb(
          h,
          async ({ repo, raw }) => {
            await insertRaw(raw, "c", {
              id: "legacy-null",
              seq: 1,
              type: "assistant_message",
              role: "assistant",
              content: "null",
              content_format: null,
              created_at: "2024-01-15T12:00:00.123456",
              // The seed derived this in the writer's local time zone: one hour off here.
              created_at_unix: Math.floor(LEGACY_MS / 1000) - 3600,
              created_at_ms: null,
              extra: null,
            });
            await insertRaw(raw, "c", {
              id: "legacy-parts",
              seq: 2,
              content: '[{"type": "text", "text": "legacy"}]',
              content_format: null,
              created_at: "2024-01-15T12:00:01.000000",
              created_at_ms: null,
              extra: '{"request_id": "old-req"}',
            });
            await insertRaw(raw, "c", {
              id: "legacy-list-string",
              seq: 3,
              content: "[1, 2, 3]",
              content_format: null,
              created_at: "2024-01-15 12:00:02",
              created_at_ms: null,
              extra: null,
            });
            // The migration's trigger gives rows written without created_at_ms the UTC time of their
            // ISO text, not the skewed created_at_unix.
            const filled = await raw.all("SELECT id, created_at_ms FROM chat_events ORDER BY seq");
            expect(filled.map((r) => Number(r.created_at_ms))).toEqual([
              LEGACY_MS,
              LEGACY_MS + 877,
              LEGACY_MS + 1877,
            ]);
            // A row from before the migration has no created_at_ms at all: the reader parses the text.
            await raw.run("UPDATE chat_events SET created_at_ms = NULL");

            const events = await repo.getEvents("c");
            expect(events).toHaveLength(3);
            expect(events[0]).toMatchObject({
              id: "legacy-null",
              content: null,
              extra: {},
              raw: null,
              toolCalls: [],
              createdAt: new Date(LEGACY_MS),
            });
            expect(events[1]).toMatchObject({
              content: [{ type: "text", text: "legacy" }],
              extra: { request_id: "old-req" },
              createdAt: new Date(Date.UTC(2024, 0, 15, 12, 0, 1)),
            });
            expect(events[2]).toMatchObject({
              content: "[1, 2, 3]",
              createdAt: new Date(Date.UTC(2024, 0, 15, 12, 0, 2)),
            });
            for (const e of events) expect(e.corruptFields).toBeUndefined();
            expect(reported).toEqual([]);
            expect(await repo.getEventByRequestId("c", "old-req")).toMatchObject({ id: "legacy-parts" });
            // New appends continue after the legacy seqs.
            expect((await add(repo, user("c", "new"))).seq).toBe(4);
          },
          { onCorruptRow: (error) => reported.push(error) },
        );
      },
    );

    it.skipIf(isPostgres(h))(
      "a row inserted with only the Python system's columns gets a timestamp and a summary",
      () =>
        withDb(h, async ({ repo, raw }) => {
          await add(repo, user("c", "chatlog row"));
          await raw.run(
            `INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, role, content, extra)
           VALUES ('py-1', 'c', 2, 1, 'assistant_message', 'assistant', 'from python', NULL)`,
          );
          const events = await repo.getEvents("c");
          expect(events.map((e) => e.content)).toEqual(["chatlog row", "from python"]);
          // CURRENT_TIMESTAMP has second precision.
          expect(Math.abs(events[1]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
          expect((await repo.listConversations()).conversations[0]?.eventCount).toBe(2);
          expect((await add(repo, user("c", "after"))).seq).toBe(3);
        }),
    );
  });
}
