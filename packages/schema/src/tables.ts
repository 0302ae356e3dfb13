import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The event log. The first fifteen columns and request_id are the Python system's, with its
 * names and meanings, so a database it wrote keeps working for it after chatlog migrates it.
 * Columns added by chatlog are nullable or defaulted, because the Python system's INSERTs name
 * only its own columns; triggers (drizzle/0003) fill in what those rows leave out.
 */
export const chatEvents = sqliteTable(
  "chat_events",
  {
    id: text("id").primaryKey(),
    conversationId: text("conversation_id").notNull(),
    seq: integer("seq").notNull(),
    schemaVersion: integer("schema_version").notNull(),
    type: text("type").notNull(),
    role: text("role"),
    /** A string as given, or the JSON of a part array; content_format says which. */
    content: text("content"),
    /** JSON array of {id, name, arguments}; NULL when there are none (as the seed wrote). */
    toolCalls: text("tool_calls"),
    provider: text("provider"),
    model: text("model"),
    stopReason: text("stop_reason"),
    /** ISO 8601 text. chatlog writes UTC with a Z; the Python system wrote naive UTC. */
    createdAt: text("created_at").default(sql`CURRENT_TIMESTAMP`),
    /** Whole Unix seconds (the seed's column; its own values are skewed by the writer's zone). */
    createdAtUnix: integer("created_at_unix"),
    /** JSON object; request_id, user_request_id, tool_call_id, visible_to_model, kind live here. */
    extra: text("extra"),
    /** Any JSON value; NULL means none. */
    raw: text("raw"),
    requestId: text("request_id").generatedAlwaysAs(sql`json_extract(extra, '$.request_id')`, {
      mode: "virtual",
    }),
    /** The user request an assistant reply answers (the seed kept it in extra). */
    userRequestId: text("user_request_id").generatedAlwaysAs(sql`json_extract(extra, '$.user_request_id')`, {
      mode: "virtual",
    }),
    /** 'text' or 'parts' on rows chatlog wrote; NULL on legacy rows (decoded by their shape). */
    contentFormat: text("content_format"),
    /** JSON object of token counts. */
    usage: text("usage"),
    tokenCount: integer("token_count"),
    /** UTC milliseconds: the authoritative timestamp (filled by a trigger for legacy writers). */
    createdAtMs: integer("created_at_ms"),
  },
  (t) => [
    // Unique: one event per position. The name is the seed's, so its CREATE INDEX IF NOT EXISTS is a no-op.
    uniqueIndex("idx_conversation_seq").on(t.conversationId, t.seq),
    uniqueIndex("idx_request_id").on(t.conversationId, t.requestId).where(sql`request_id IS NOT NULL`),
    // Everything belonging to one user turn: its reply (legacy replies carry only
    // user_request_id) and its streamed deltas, found without scanning the conversation.
    index("idx_turn_events")
      .on(t.conversationId, t.userRequestId, t.type, t.seq)
      .where(sql`user_request_id IS NOT NULL`),
    // No index on created_at_ms: every append paid for one (about a fifth of an awaited
    // append), while only retention reads by age, and it finds old conversations through
    // chat_conversations.created_at_ms instead.
  ],
);

/**
 * One row per conversation, kept by triggers on chat_events (so rows written by the Python
 * system count too). last_seq is a high-water mark that never goes down, which is what keeps seq
 * from being reused after deletions; a conversation whose events are all gone stays as a row
 * with event_count 0 for that reason.
 */
export const chatConversations = sqliteTable(
  "chat_conversations",
  {
    conversationId: text("conversation_id").primaryKey(),
    createdAtMs: integer("created_at_ms").notNull(),
    lastActivityMs: integer("last_activity_ms").notNull(),
    eventCount: integer("event_count").notNull().default(0),
    lastSeq: integer("last_seq").notNull().default(0),
    /**
     * The user the conversation belongs to (an opaque id), set by its first write through
     * forOwner and never changed; NULL for conversations written unscoped (the administrator's,
     * the Python system's, and every conversation from before owners existed).
     */
    ownerId: text("owner_id"),
    /** A title a person gave the conversation (setConversationTitle); null: taken from its first message. */
    title: text("title"),
    /**
     * The start of the first user message's text (kept by the triggers of drizzle/0009, for
     * every writer), the list's title when no person set one, so a page of the list reads no
     * events. NULL when the conversation has no user message with text.
     */
    autoTitle: text("auto_title"),
    /** The seq of the user message auto_title was taken from (NULL: none). */
    autoTitleSeq: integer("auto_title_seq"),
    /**
     * 1 while the conversation has events (event_count > 0), NULL otherwise: what puts it in the
     * list's indexes. It changes only when a conversation gains its first event or loses its
     * last, unlike event_count, so the triggers of drizzle/0012 rewrite an index entry only when
     * last_activity_ms or listed changes, not on every append (the index entry was a fifth of an
     * append's cost).
     */
    listed: integer("listed"),
  },
  (t) => [
    index("idx_conversations_activity").on(t.lastActivityMs, t.conversationId).where(sql`listed = 1`),
    // One user's conversations, newest activity first, without reading anyone else's.
    index("idx_conversations_owner")
      .on(t.ownerId, t.lastActivityMs, t.conversationId)
      .where(sql`owner_id IS NOT NULL AND listed = 1`),
  ],
);

/** Saved sessions: conversations protected from retention and the full wipe. */
export const chatSavedSessions = sqliteTable(
  "chat_saved_sessions",
  {
    id: text("id").primaryKey(),
    conversationId: text("conversation_id").notNull(),
    name: text("name").notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
    sessionStartMs: integer("session_start_ms"),
    sessionEndMs: integer("session_end_ms"),
    messageCount: integer("message_count").notNull(),
    /** The saved snapshot is the conversation's events up to this seq. */
    lastSeq: integer("last_seq").notNull(),
  },
  (t) => [index("idx_saved_conversation").on(t.conversationId), index("idx_saved_created").on(t.createdAtMs)],
);

/** Small persistent counters (the clear-trigger count survives restarts). */
export const chatlogState = sqliteTable("chatlog_state", {
  key: text("key").primaryKey(),
  value: integer("value").notNull(),
});

/**
 * Where an import stages its events before they are published into chat_events in one statement
 * (see packages/sqlite/src/import-events.ts). Rows belong to one import (import_id) and are
 * deleted when it ends; readers never look here, so a half-staged import is invisible. The event
 * columns mirror chat_events' own.
 */
export const chatlogImportStaging = sqliteTable(
  "chatlog_import_staging",
  {
    importId: text("import_id").notNull(),
    /** Position of the event in the import's input (0-based): the error's details.index. */
    ord: integer("ord").notNull(),
    /** When the import began: staging rows of an import that died long ago are swept. */
    startedAtMs: integer("started_at_ms").notNull(),
    id: text("id").notNull(),
    conversationId: text("conversation_id").notNull(),
    seq: integer("seq").notNull(),
    schemaVersion: integer("schema_version").notNull(),
    type: text("type").notNull(),
    role: text("role"),
    content: text("content"),
    contentFormat: text("content_format"),
    toolCalls: text("tool_calls"),
    usage: text("usage"),
    tokenCount: integer("token_count"),
    provider: text("provider"),
    model: text("model"),
    stopReason: text("stop_reason"),
    createdAt: text("created_at"),
    createdAtUnix: integer("created_at_unix"),
    createdAtMs: integer("created_at_ms"),
    extra: text("extra"),
    raw: text("raw"),
  },
  (t) => [
    primaryKey({ columns: [t.importId, t.ord] }),
    // The same event twice in one input, or two events at one position, fail while staging.
    uniqueIndex("idx_staging_id").on(t.importId, t.id),
    uniqueIndex("idx_staging_seq").on(t.importId, t.conversationId, t.seq),
    index("idx_staging_started").on(t.startedAtMs),
  ],
);

/**
 * Turn claims: who is generating which reply right now, shared by every process on the
 * database. A turn is (conversation, user request id, attempt); the primary key makes taking
 * it one atomic INSERT, so two processes can never both generate it. The holder refreshes
 * heartbeat_ms (database clock, so processes on different machines agree); a claim whose
 * heartbeat is older than the stale threshold may be taken over, which keeps message_id: the
 * assistant message id announced to every client is fixed when the turn starts. A claim is
 * deleted once its reply is stored, so the table holds only turns in flight (or abandoned
 * ones awaiting takeover).
 */
export const chatTurnClaims = sqliteTable(
  "chat_turn_claims",
  {
    conversationId: text("conversation_id").notNull(),
    userRequestId: text("user_request_id").notNull(),
    attempt: integer("attempt").notNull(),
    ownerId: text("owner_id").notNull(),
    messageId: text("message_id").notNull(),
    claimedAtMs: integer("claimed_at_ms").notNull(),
    heartbeatMs: integer("heartbeat_ms").notNull(),
    /** How many times the claim changed hands after its holder went stale. */
    takeovers: integer("takeovers").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userRequestId, t.attempt] }),
    index("idx_turn_claims_heartbeat").on(t.heartbeatMs),
    index("idx_turn_claims_owner").on(t.ownerId),
  ],
);
