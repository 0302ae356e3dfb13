import { sql } from "drizzle-orm";
import { bigint, index, integer, json, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * The Postgres tables: the same tables, columns and meanings as the SQLite ones (tables.ts),
 * in Postgres's types.
 *
 * - Counters, seqs and millisecond times are int8 (`bigint`, read as numbers: milliseconds since
 *   1970 pass 2^31, and seq is a position that must never overflow). node-postgres returns int8
 *   as a string unless the driver parses it.
 * - `extra`, `raw`, `tool_calls` and `usage` are `json`, not `jsonb`: json keeps the text exactly
 *   as written (key order, duplicate keys, spacing) and only checks that it parses, so a value
 *   reads back byte for byte; jsonb would reorder keys. Read them as text (a json type parser
 *   that returns the string) so that JSON.parse in the row codec, not the driver, decodes them.
 * - `request_id` and `user_request_id` are STORED generated columns over `extra ->> '...'`
 *   (Postgres 15 has no virtual ones), so the partial unique index on (conversation_id,
 *   request_id) is what makes a write exactly-once, raced from any number of connections.
 * - There is no legacy writer on Postgres (the Python system only ever wrote SQLite files), so
 *   nothing needs defaults for rows written without chatlog's columns.
 */

/** An event's columns: chat_events' own (it adds the key and the generated columns) and the import staging's copy. */
function eventColumns() {
  return {
    id: text("id").notNull(),
    conversationId: text("conversation_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    schemaVersion: integer("schema_version").notNull(),
    type: text("type").notNull(),
    role: text("role"),
    /** A string as given, or the JSON of a part array; content_format says which. */
    content: text("content"),
    /** JSON array of {id, name, arguments}; NULL when there are none. */
    toolCalls: json("tool_calls"),
    provider: text("provider"),
    model: text("model"),
    stopReason: text("stop_reason"),
    /** ISO 8601 text in UTC with a Z (the SQLite column's meaning). */
    createdAt: text("created_at"),
    /** Whole Unix seconds (the seed's column). */
    createdAtUnix: bigint("created_at_unix", { mode: "number" }),
    /** JSON object; request_id, user_request_id, tool_call_id, visible_to_model, kind live here. */
    extra: json("extra"),
    /** Any JSON value; NULL means none. */
    raw: json("raw"),
    /** 'text' or 'parts'. */
    contentFormat: text("content_format"),
    /** JSON object of token counts. */
    usage: json("usage"),
    tokenCount: integer("token_count"),
    /** UTC milliseconds: the authoritative timestamp. */
    createdAtMs: bigint("created_at_ms", { mode: "number" }),
  };
}

/** The event log (see tables.ts for what each column means). */
export const chatEvents = pgTable(
  "chat_events",
  {
    ...eventColumns(),
    id: text("id").primaryKey(),
    requestId: text("request_id").generatedAlwaysAs(sql`extra ->> 'request_id'`),
    /** The user request an assistant reply answers. */
    userRequestId: text("user_request_id").generatedAlwaysAs(sql`extra ->> 'user_request_id'`),
  },
  (t) => [
    uniqueIndex("idx_conversation_seq").on(t.conversationId, t.seq),
    uniqueIndex("idx_request_id").on(t.conversationId, t.requestId).where(sql`request_id IS NOT NULL`),
    // Everything belonging to one user turn (its reply, its streamed deltas) without a scan.
    index("idx_turn_events")
      .on(t.conversationId, t.userRequestId, t.type, t.seq)
      .where(sql`user_request_id IS NOT NULL`),
    index("idx_created_ms").on(t.createdAtMs),
  ],
);

/**
 * One row per conversation: created, last activity, event count, and last_seq, the high-water
 * mark every append takes its seq from (the row's lock orders concurrent appends to one
 * conversation). It only grows, so a seq freed by a deletion is never handed out again; a
 * conversation whose events are all gone stays as a row with event_count 0 for that reason.
 */
export const chatConversations = pgTable(
  "chat_conversations",
  {
    conversationId: text("conversation_id").primaryKey(),
    createdAtMs: bigint("created_at_ms", { mode: "number" }).notNull(),
    lastActivityMs: bigint("last_activity_ms", { mode: "number" }).notNull(),
    eventCount: bigint("event_count", { mode: "number" }).notNull().default(0),
    lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
    /**
     * The user the conversation belongs to (an opaque id), set by its first write through
     * forOwner and never changed; NULL for conversations written unscoped (the administrator's,
     * the Python system's, and every conversation from before owners existed).
     */
    ownerId: text("owner_id"),
    /** A title a person gave the conversation (setConversationTitle); null: taken from its first message. */
    title: text("title"),
  },
  (t) => [
    index("idx_conversations_activity").on(t.lastActivityMs, t.conversationId).where(sql`event_count > 0`),
    // One user's conversations, newest activity first, without reading anyone else's.
    index("idx_conversations_owner")
      .on(t.ownerId, t.lastActivityMs, t.conversationId)
      .where(sql`owner_id IS NOT NULL AND event_count > 0`),
  ],
);

/** Saved sessions: conversations protected from retention and the full wipe. */
export const chatSavedSessions = pgTable(
  "chat_saved_sessions",
  {
    id: text("id").primaryKey(),
    conversationId: text("conversation_id").notNull(),
    name: text("name").notNull(),
    createdAtMs: bigint("created_at_ms", { mode: "number" }).notNull(),
    sessionStartMs: bigint("session_start_ms", { mode: "number" }),
    sessionEndMs: bigint("session_end_ms", { mode: "number" }),
    messageCount: bigint("message_count", { mode: "number" }).notNull(),
    /** The saved snapshot is the conversation's events up to this seq. */
    lastSeq: bigint("last_seq", { mode: "number" }).notNull(),
    /** Save order (SQLite's rowid): breaks ties between sessions saved in the same millisecond. */
    position: bigint("position", { mode: "number" }).generatedAlwaysAsIdentity(),
  },
  (t) => [index("idx_saved_conversation").on(t.conversationId), index("idx_saved_created").on(t.createdAtMs)],
);

/** Small persistent counters (the clear-trigger count survives restarts). */
export const chatlogState = pgTable("chatlog_state", {
  key: text("key").primaryKey(),
  value: bigint("value", { mode: "number" }).notNull(),
});

/**
 * Where an import stages its events before they are published into chat_events in one
 * statement; rows belong to one import (import_id) and are deleted when it ends. The event
 * columns mirror chat_events' own, in the same types, so publishing is a plain INSERT ... SELECT.
 */
export const chatlogImportStaging = pgTable(
  "chatlog_import_staging",
  {
    importId: text("import_id").notNull(),
    /** Position of the event in the import's input (0-based): the error's details.index. */
    ord: integer("ord").notNull(),
    /** When the import began: staging rows of an import that died long ago are swept. */
    startedAtMs: bigint("started_at_ms", { mode: "number" }).notNull(),
    ...eventColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.importId, t.ord] }),
    uniqueIndex("idx_staging_id").on(t.importId, t.id),
    uniqueIndex("idx_staging_seq").on(t.importId, t.conversationId, t.seq),
    index("idx_staging_started").on(t.startedAtMs),
  ],
);

/**
 * Turn claims: who is generating which reply right now (see tables.ts). Heartbeats and claim
 * times are the database clock's milliseconds, taken with clock_timestamp() (the statement's
 * real time, not the transaction's start as now() would be).
 */
export const chatTurnClaims = pgTable(
  "chat_turn_claims",
  {
    conversationId: text("conversation_id").notNull(),
    userRequestId: text("user_request_id").notNull(),
    attempt: integer("attempt").notNull(),
    ownerId: text("owner_id").notNull(),
    messageId: text("message_id").notNull(),
    claimedAtMs: bigint("claimed_at_ms", { mode: "number" }).notNull(),
    heartbeatMs: bigint("heartbeat_ms", { mode: "number" }).notNull(),
    /** How many times the claim changed hands after its holder went stale. */
    takeovers: integer("takeovers").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userRequestId, t.attempt] }),
    index("idx_turn_claims_heartbeat").on(t.heartbeatMs),
    index("idx_turn_claims_owner").on(t.ownerId),
  ],
);
