import { MAX_SEQ } from "@chatlog/core";
import { type Statement, type Statements, statement } from "@chatlog/engine";

/**
 * Every SQL statement chatlog runs against a Postgres database: Postgres's SQL lives here once
 * (SQLite's is in @chatlog/sqlite), under the engine's statement names. Parameters are :named
 * (the executor numbers them); values are never spliced into the text.
 *
 * Postgres runs writers side by side (READ COMMITTED), where SQLite has one writer at a time, so
 * every read-then-write below takes the row lock that orders it: an append takes its seq by
 * raising the conversation's last_seq (an upsert, which locks the summary row until commit), a
 * claim-conditional write locks the claim row it checks (FOR SHARE, so a takeover waits for it and
 * it sees a takeover that committed first). Triggers (drizzle-postgres/0002) keep the summaries.
 */
const stmt = statement;

/** extra.attempt as a number (absent or not a number: 1, the first reply). */
const attempt = (alias: string) =>
  `COALESCE(CASE WHEN json_typeof(${alias}.extra -> 'attempt') = 'number' THEN (${alias}.extra ->> 'attempt')::numeric END, 1)`;

/** The LLM-visible events; see the SQLite statements for the rule. */
const LLM_VISIBLE = `(e.type IN ('user_message', 'assistant_message', 'tool_call', 'tool_result')
  OR (e.type = 'system_update' AND json_typeof(e.extra -> 'visible_to_model') = 'boolean'
      AND (e.extra ->> 'visible_to_model') = 'true'))
  AND (e.user_request_id IS NULL OR NOT EXISTS (SELECT 1 FROM chat_events newer
    WHERE newer.conversation_id = e.conversation_id AND newer.user_request_id = e.user_request_id
      AND ${attempt("newer")} > ${attempt("e")}))`;

/** The database's clock in UTC milliseconds: clock_timestamp(), the real time, not the transaction's start. */
const DB_NOW_MS = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint";

const EVENT_COLUMNS = `id, conversation_id, seq, schema_version, type, role, content, content_format,
  tool_calls, usage, token_count, provider, model, stop_reason, created_at, created_at_unix, created_at_ms, extra, raw`;

/** An event's values, from the parameters encodeEvent makes, after its seq. */
const EVENT_VALUES = `:schema_version::int, :type::text, :role::text, :content::text, :content_format::text,
  :tool_calls::json, :usage::json, :token_count::int, :provider::text, :model::text, :stop_reason::text,
  :created_at::text, :created_at_unix::bigint, :created_at_ms::bigint, :extra::json, :raw::json`;

/**
 * Takes the next seq of :conversation_id by raising its last_seq, unless the event is already
 * stored (by id, or by its request id in this conversation): a retry never burns a seq. The
 * upsert holds the summary row's lock until commit, so appends to one conversation take their
 * seqs one after another, from any number of connections, and a seq is never handed out twice.
 * `guard` adds a condition (an unanswered turn, a held claim).
 *
 * A duplicate raced from another connection passes the check (the statement's snapshot predates
 * the other's commit) and then meets the unique index: the insert has no ON CONFLICT clause, so
 * the whole statement fails and its raised last_seq is rolled back with it (no gap), and the
 * executor reruns the job (rerunOnUniqueViolation), whose new snapshot finds the stored event.
 */
const nextSeq = (guard = "true") => `next AS (
  INSERT INTO chat_conversations AS c (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq)
  SELECT :conversation_id::text, :created_at_ms::bigint, :created_at_ms::bigint, 0, 1
  WHERE ${guard} AND ${OWNED} AND NOT EXISTS (SELECT 1 FROM chat_events d WHERE d.id = :id::text
    OR (d.conversation_id = :conversation_id::text AND d.request_id = (:extra::json ->> 'request_id')))
  ON CONFLICT (conversation_id) DO UPDATE SET last_seq = c.last_seq + 1
  RETURNING last_seq)`;

// Past MAX_SEQ the seq is NULL, which seq's NOT NULL constraint refuses: the statement fails and
// its raised last_seq rolls back with it, and the engine reports SEQ_LIMIT.
const appendWith = (guard?: string) =>
  `WITH ${nextSeq(guard)}
   INSERT INTO chat_events (${EVENT_COLUMNS})
   SELECT :id::text, :conversation_id::text, CASE WHEN next.last_seq <= ${MAX_SEQ} THEN next.last_seq END,
     ${EVENT_VALUES} FROM next
   RETURNING seq`;

/** An append statement: rerun after losing a race (see nextSeq). */
const appendStatement = (name: string, guard?: string): Statement => ({
  ...stmt(name, appendWith(guard)),
  rerunOnUniqueViolation: true,
});

const EVENT_ARRAYS = `:id::text[], :conversation_id::text[], :schema_version::int[], :type::text[], :role::text[],
  :content::text[], :content_format::text[], :tool_calls::json[], :usage::json[], :token_count::int[],
  :provider::text[], :model::text[], :stop_reason::text[], :created_at::text[], :created_at_unix::bigint[],
  :created_at_ms::bigint[], :extra::json[], :raw::json[], :owner_id::text[]`;

const INPUT_COLUMNS = `id, conversation_id, schema_version, type, role, content, content_format, tool_calls, usage,
  token_count, provider, model, stop_reason, created_at, created_at_unix, created_at_ms, extra, raw, owner_id`;

/**
 * Many appends as one statement (the write queue's group commit): the events arrive as arrays in
 * call order; those not already stored get the next seqs of their conversation, in that order,
 * by raising each conversation's last_seq once by its count (locking the summary rows in
 * conversation order), each append's ownership condition applied per row (owner_id). Rows come
 * back keyed by event id. A duplicate inside the batch, or one
 * raced from another connection, fails the statement, and the executor appends one by one. A seq
 * past MAX_SEQ is NULL, refused by seq's NOT NULL: the appends then run one by one (SEQ_LIMIT).
 */
const appendMany = stmt(
  "appendMany",
  `WITH input AS (
     SELECT * FROM unnest(${EVENT_ARRAYS}) WITH ORDINALITY AS t(${INPUT_COLUMNS}, ord)),
   fresh AS (
     SELECT i.* FROM input i WHERE NOT EXISTS (SELECT 1 FROM chat_events d WHERE d.id = i.id)
       AND NOT EXISTS (SELECT 1 FROM chat_events d WHERE d.conversation_id = i.conversation_id
         AND d.request_id = (i.extra ->> 'request_id'))
       AND (i.owner_id IS NULL OR EXISTS (SELECT 1 FROM chat_conversations own
         WHERE own.conversation_id = i.conversation_id AND own.owner_id = i.owner_id))),
   counts AS (
     SELECT conversation_id, COUNT(*) AS n, MIN(created_at_ms) AS ms FROM fresh GROUP BY conversation_id),
   next AS (
     INSERT INTO chat_conversations AS c (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq)
     SELECT conversation_id, ms, ms, 0, n FROM counts ORDER BY conversation_id
     ON CONFLICT (conversation_id) DO UPDATE SET last_seq = c.last_seq + excluded.last_seq
     RETURNING conversation_id, last_seq)
   INSERT INTO chat_events (${EVENT_COLUMNS})
   SELECT f.id, f.conversation_id,
     NULLIF(LEAST(next.last_seq - counts.n + ROW_NUMBER() OVER (PARTITION BY f.conversation_id ORDER BY f.ord),
       ${MAX_SEQ} + 1), ${MAX_SEQ} + 1),
     f.schema_version, f.type, f.role, f.content, f.content_format, f.tool_calls, f.usage, f.token_count,
     f.provider, f.model, f.stop_reason, f.created_at, f.created_at_unix, f.created_at_ms, f.extra, f.raw
   FROM fresh f JOIN counts USING (conversation_id) JOIN next USING (conversation_id)
   RETURNING id, seq`,
);

/**
 * The claim condition of a generator's writes (see the SQLite statements). FOR SHARE locks the
 * claim row to the end of the write's transaction: a takeover (an UPDATE of that row) waits for
 * the write to commit, and a write that waited for a takeover re-reads the row and finds it gone.
 */
const HELD = `EXISTS (SELECT 1 FROM chat_turn_claims WHERE conversation_id = :conversation_id::text
  AND user_request_id = :held_request_id::text AND attempt = :held_attempt::int AND owner_id = :held_owner::text
  FOR SHARE)`;

/**
 * Ownership, the one rule every statement that touches a conversation applies (see the SQLite
 * statements): :owner_id NULL (the administrator's repository) passes everything; a user's id
 * passes only conversations whose summary row names that user.
 */
const ownedBy = (
  conversationIdSql: string,
) => `(:owner_id::text IS NULL OR EXISTS (SELECT 1 FROM chat_conversations own
  WHERE own.conversation_id = ${conversationIdSql} AND own.owner_id = :owner_id::text))`;
const OWNED = ownedBy(":conversation_id::text");

/** A conversation's list summary (the title rule, custom_title first, as in the SQLite statements), for every list. */
const SUMMARY_COLUMNS = `c.conversation_id, c.created_at_ms, c.last_activity_ms, c.event_count, c.owner_id,
  c.title AS custom_title,
  CASE WHEN c.title IS NULL THEN (SELECT CASE
     WHEN e.content_format = 'text' THEN left(e.content, 400)
     WHEN json_typeof(chatlog_json_or_null(e.content)) = 'array' THEN
       (SELECT left(string_agg(p.value ->> 'text', ' ' ORDER BY p.ord), 400)
        FROM json_array_elements(chatlog_json_or_null(e.content)) WITH ORDINALITY AS p(value, ord)
        WHERE json_typeof(p.value) = 'object' AND p.value ->> 'type' = 'text'
          AND json_typeof(p.value -> 'text') = 'string')
     WHEN e.content_format IS NULL THEN left(e.content, 400)
   END
   FROM chat_events e WHERE e.conversation_id = c.conversation_id AND e.type = 'user_message'
   ORDER BY e.seq LIMIT 1) END AS auto_title`;

/** LIMIT :limit, where -1 means no limit (the engine's convention, SQLite's meaning). */
const LIMIT = "LIMIT NULLIF(:limit::bigint, -1)";

export const SQL = {
  append: { ...appendStatement("append"), batch: { statement: appendMany, key: "id" } },

  appendUnanswered: appendStatement(
    "appendUnanswered",
    `NOT EXISTS (SELECT 1 FROM chat_events WHERE conversation_id = :conversation_id::text
      AND user_request_id = :user_request_id::text AND type = 'assistant_message')`,
  ),

  appendHeld: appendStatement("appendHeld", HELD),

  heldClaim: stmt("heldClaim", `SELECT 1 AS held WHERE ${HELD}`),

  findDuplicate: stmt(
    "findDuplicate",
    `(SELECT * FROM chat_events WHERE conversation_id = :conversation_id::text AND request_id = :request_id::text
       AND ${OWNED})
     UNION ALL (SELECT * FROM chat_events WHERE id = :id::text AND ${ownedBy("chat_events.conversation_id")}) LIMIT 1`,
  ),

  byRequestId: stmt(
    "byRequestId",
    `SELECT * FROM chat_events WHERE conversation_id = :conversation_id::text AND request_id = :request_id::text
     AND ${OWNED}`,
  ),

  replyTo: stmt(
    "replyTo",
    `SELECT * FROM chat_events WHERE conversation_id = :conversation_id::text
     AND user_request_id = :user_request_id::text AND type = 'assistant_message' AND ${OWNED}
     ORDER BY seq DESC LIMIT 1`,
  ),

  replyIdTo: stmt(
    "replyIdTo",
    `SELECT id FROM chat_events WHERE conversation_id = :conversation_id::text
     AND user_request_id = :user_request_id::text AND type = 'assistant_message' AND ${OWNED}
     ORDER BY seq DESC LIMIT 1`,
  ),

  eventsForward: stmt(
    "eventsForward",
    `SELECT * FROM chat_events WHERE conversation_id = :conversation_id::text AND seq > :after_seq::bigint
     AND seq < :before_seq::bigint AND ${OWNED} ORDER BY seq ${LIMIT}`,
  ),

  eventsBackward: stmt(
    "eventsBackward",
    `SELECT * FROM (SELECT * FROM chat_events WHERE conversation_id = :conversation_id::text
       AND seq < :before_seq::bigint AND ${OWNED} ORDER BY seq DESC ${LIMIT}) AS page ORDER BY seq`,
  ),

  historyAll: stmt(
    "historyAll",
    `SELECT * FROM chat_events e WHERE e.conversation_id = :conversation_id::text
       AND e.seq < :before_seq::bigint AND ${LLM_VISIBLE} AND ${OWNED} ORDER BY e.seq`,
  ),

  lastSeq: stmt(
    "lastSeq",
    "SELECT last_seq FROM chat_conversations WHERE conversation_id = :conversation_id::text",
  ),

  history: stmt(
    "history",
    `SELECT * FROM (SELECT * FROM chat_events e WHERE e.conversation_id = :conversation_id::text
       AND e.seq < :before_seq::bigint AND ${LLM_VISIBLE} AND ${OWNED} ORDER BY e.seq DESC ${LIMIT}) AS page
     ORDER BY seq`,
  ),

  listConversations: stmt(
    "listConversations",
    // The cursor may be above any bigint (the first page's sentinel): clamp it before the cast.
    `SELECT ${SUMMARY_COLUMNS} FROM chat_conversations c
     WHERE c.event_count > 0 AND (c.last_activity_ms, c.conversation_id)
       < (LEAST(:cursor_ms::float8, 9.2e18)::bigint, :cursor_id::text)
       AND (:owner_id::text IS NULL OR c.owner_id = :owner_id::text)
     ORDER BY c.last_activity_ms DESC, c.conversation_id DESC LIMIT :limit::bigint`,
  ),

  /** As listConversations for one user (:list_owner), on idx_conversations_owner. */
  listOwnerConversations: stmt(
    "listOwnerConversations",
    `SELECT ${SUMMARY_COLUMNS} FROM chat_conversations c
     WHERE c.owner_id = :list_owner::text AND c.owner_id IS NOT NULL AND c.event_count > 0
       AND (c.last_activity_ms, c.conversation_id) < (LEAST(:cursor_ms::float8, 9.2e18)::bigint, :cursor_id::text)
     ORDER BY c.last_activity_ms DESC, c.conversation_id DESC LIMIT :limit::bigint`,
  ),

  /** One conversation's list summary (nothing when it has no events). */
  conversationSummary: stmt(
    "conversationSummary",
    `SELECT ${SUMMARY_COLUMNS} FROM chat_conversations c
     WHERE c.conversation_id = :conversation_id::text AND c.event_count > 0 AND ${OWNED}`,
  ),

  /** Makes a new conversation :owner_id's before its first event (see the SQLite statements). */
  claimConversation: stmt(
    "claimConversation",
    `INSERT INTO chat_conversations (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq, owner_id)
     SELECT :conversation_id::text, :now_ms::bigint, :now_ms::bigint, 0, 0, :owner_id::text
     WHERE :owner_id::text IS NOT NULL
     ON CONFLICT (conversation_id) DO NOTHING`,
  ),

  /** One row when :conversation_id exists and is not :owner_id's. */
  foreignConversation: stmt(
    "foreignConversation",
    `SELECT 1 AS foreign_owner FROM chat_conversations WHERE conversation_id = :conversation_id::text
     AND :owner_id::text IS NOT NULL AND (owner_id IS NULL OR owner_id <> :owner_id::text)`,
  ),

  turnEvents: stmt(
    "turnEvents",
    `SELECT * FROM chat_events WHERE conversation_id = :conversation_id::text
     AND user_request_id = :user_request_id::text AND ${OWNED} ORDER BY seq`,
  ),

  deleteDeltas: stmt(
    "deleteDeltas",
    `DELETE FROM chat_events e WHERE e.conversation_id = :conversation_id::text
     AND e.user_request_id = :user_request_id::text AND e.type = 'meta' AND e.extra ->> 'kind' = :kind::text
     AND ${attempt("e")} = :attempt::int AND ${OWNED}`,
  ),

  deleteDeltasHeld: stmt(
    "deleteDeltasHeld",
    `DELETE FROM chat_events e WHERE e.conversation_id = :conversation_id::text
     AND e.user_request_id = :held_request_id::text AND e.type = 'meta' AND e.extra ->> 'kind' = :kind::text
     AND ${attempt("e")} = :held_attempt::int AND ${HELD} AND ${OWNED}`,
  ),

  deleteOrphanDeltas: stmt(
    "deleteOrphanDeltas",
    `DELETE FROM chat_events WHERE id IN (SELECT d.id FROM chat_events d
       WHERE d.type = 'meta' AND d.user_request_id IS NOT NULL AND d.extra ->> 'kind' = :kind::text
         AND EXISTS (SELECT 1 FROM chat_events r
           WHERE r.conversation_id = d.conversation_id AND r.user_request_id = d.user_request_id
             AND r.type = 'assistant_message' AND ${attempt("r")} = ${attempt("d")})
       LIMIT :batch::bigint)
     RETURNING 1 AS deleted`,
  ),

  unfinishedTurns: stmt(
    "unfinishedTurns",
    `SELECT DISTINCT d.conversation_id, d.user_request_id FROM chat_events d
     WHERE d.type = 'meta' AND d.user_request_id IS NOT NULL AND d.extra ->> 'kind' = :kind::text
       AND NOT EXISTS (SELECT 1 FROM chat_events r WHERE r.conversation_id = d.conversation_id
         AND r.user_request_id = d.user_request_id AND r.type = 'assistant_message')
       AND ${ownedBy("d.conversation_id")}`,
  ),

  claimTurn: stmt(
    "claimTurn",
    `INSERT INTO chat_turn_claims AS t (conversation_id, user_request_id, attempt, owner_id, message_id,
       claimed_at_ms, heartbeat_ms, takeovers)
     SELECT :conversation_id::text, :user_request_id::text, :attempt::int, :claim_owner::text, :message_id::text,
       ${DB_NOW_MS}, ${DB_NOW_MS}, 0
     WHERE ${OWNED}
     ON CONFLICT (conversation_id, user_request_id, attempt) DO UPDATE SET
       takeovers = t.takeovers + (t.owner_id <> excluded.owner_id)::int,
       owner_id = excluded.owner_id, heartbeat_ms = excluded.heartbeat_ms
     WHERE t.owner_id = excluded.owner_id OR t.owner_id = :dead_owner::text
       OR t.heartbeat_ms < excluded.heartbeat_ms - :stale_ms::bigint
     RETURNING *`,
  ),

  turnClaim: stmt(
    "turnClaim",
    `SELECT *, ${DB_NOW_MS} - heartbeat_ms AS age_ms FROM chat_turn_claims
     WHERE conversation_id = :conversation_id::text AND user_request_id = :user_request_id::text
       AND attempt = :attempt::int AND ${OWNED}`,
  ),

  conversationClaims: stmt(
    "conversationClaims",
    `SELECT *, ${DB_NOW_MS} - heartbeat_ms AS age_ms FROM chat_turn_claims
     WHERE conversation_id = :conversation_id::text AND ${OWNED} ORDER BY claimed_at_ms, user_request_id, attempt`,
  ),

  heartbeatClaims: stmt(
    "heartbeatClaims",
    `UPDATE chat_turn_claims SET heartbeat_ms = ${DB_NOW_MS} WHERE owner_id = :claim_owner::text
     RETURNING conversation_id, user_request_id, attempt`,
  ),

  releaseClaim: stmt(
    "releaseClaim",
    `DELETE FROM chat_turn_claims WHERE conversation_id = :conversation_id::text
     AND user_request_id = :user_request_id::text AND attempt = :attempt::int AND owner_id = :claim_owner::text
     AND ${OWNED}`,
  ),

  staleClaims: stmt(
    "staleClaims",
    `SELECT *, ${DB_NOW_MS} - heartbeat_ms AS age_ms FROM chat_turn_claims
     WHERE heartbeat_ms < ${DB_NOW_MS} - :stale_ms::bigint AND ${ownedBy("chat_turn_claims.conversation_id")}
     ORDER BY heartbeat_ms LIMIT :limit::bigint`,
  ),

  stageImport: stmt(
    "stageImport",
    `INSERT INTO chatlog_import_staging (import_id, ord, started_at_ms, ${EVENT_COLUMNS})
     VALUES (:import_id::text, :ord::int, :started_at_ms::bigint, :id::text, :conversation_id::text,
       :seq::bigint, ${EVENT_VALUES})`,
  ),

  stagedConflict: stmt(
    "stagedConflict",
    `SELECT s.ord, s.id FROM chatlog_import_staging s
     WHERE s.import_id = :import_id::text AND s.ord BETWEEN :from::int AND :to::int AND (
       EXISTS (SELECT 1 FROM chat_events e WHERE e.id = s.id
               AND (e.conversation_id <> s.conversation_id OR e.seq <> s.seq))
       OR EXISTS (SELECT 1 FROM chat_events e WHERE e.conversation_id = s.conversation_id AND e.seq = s.seq
               AND e.id <> s.id)
       OR EXISTS (SELECT 1 FROM chat_events e WHERE e.conversation_id = s.conversation_id
               AND e.request_id = s.extra ->> 'request_id' AND e.id <> s.id))
     ORDER BY s.ord LIMIT 1`,
  ),

  publishImport: stmt(
    "publishImport",
    `INSERT INTO chat_events (${EVENT_COLUMNS})
     SELECT ${EVENT_COLUMNS} FROM chatlog_import_staging s WHERE s.import_id = :import_id::text
       AND NOT EXISTS (SELECT 1 FROM chat_events e WHERE e.id = s.id AND e.conversation_id = s.conversation_id
                       AND e.seq = s.seq)
     ORDER BY s.ord
     RETURNING 1 AS published`,
  ),

  unstageSlice: stmt(
    "unstageSlice",
    `DELETE FROM chatlog_import_staging WHERE (import_id, ord) IN (SELECT import_id, ord
       FROM chatlog_import_staging WHERE import_id = :import_id::text LIMIT :batch::bigint)
     RETURNING 1 AS deleted`,
  ),

  sweepStagingSlice: stmt(
    "sweepStagingSlice",
    `DELETE FROM chatlog_import_staging WHERE (import_id, ord) IN (SELECT import_id, ord
       FROM chatlog_import_staging WHERE started_at_ms < :cutoff_ms::bigint LIMIT :batch::bigint)
     RETURNING 1 AS deleted`,
  ),

  statsByType: stmt("statsByType", "SELECT type, COUNT(*) AS n FROM chat_events GROUP BY type ORDER BY type"),

  statsConversations: stmt(
    "statsConversations",
    `SELECT COUNT(*) AS conversations, MIN(created_at_ms) AS oldest_ms, MAX(last_activity_ms) AS newest_ms
     FROM chat_conversations WHERE event_count > 0`,
  ),

  statsSize: stmt(
    "statsSize",
    `SELECT pg_database_size(current_database()) AS bytes,
            (SELECT COUNT(*) FROM chat_saved_sessions) AS saved_sessions`,
  ),

  bumpCounter: stmt(
    "bumpCounter",
    `INSERT INTO chatlog_state AS s (key, value) VALUES (:key::text, 1)
     ON CONFLICT (key) DO UPDATE SET value = s.value + 1 RETURNING value`,
  ),

  wipeSlice: stmt(
    "wipeSlice",
    `DELETE FROM chat_events WHERE id IN (SELECT id FROM chat_events
       WHERE conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions) LIMIT :batch::bigint)
     RETURNING 1 AS deleted`,
  ),

  deleteBeforeSlice: stmt(
    "deleteBeforeSlice",
    `DELETE FROM chat_events WHERE id IN (SELECT id FROM chat_events
       WHERE conversation_id = :conversation_id::text AND seq < :before_seq::bigint LIMIT :batch::bigint)
     RETURNING 1 AS deleted`,
  ),

  conversationsWithOldEvents: stmt(
    "conversationsWithOldEvents",
    `SELECT DISTINCT conversation_id FROM chat_events WHERE created_at_ms < :cutoff_ms::bigint
     AND conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions)`,
  ),

  turnBoundary: stmt(
    "turnBoundary",
    `WITH f AS (SELECT MIN(seq) AS first_new FROM chat_events
                WHERE conversation_id = :conversation_id::text AND created_at_ms >= :cutoff_ms::bigint)
     SELECT f.first_new,
       (SELECT MAX(seq) FROM chat_events WHERE conversation_id = :conversation_id::text
          AND type = 'user_message' AND seq <= f.first_new) AS boundary
     FROM f`,
  ),

  turnBoundaryAfter: stmt(
    "turnBoundaryAfter",
    `WITH f AS (SELECT MIN(seq) AS first_new FROM chat_events
                WHERE conversation_id = :conversation_id::text AND created_at_ms >= :cutoff_ms::bigint)
     SELECT f.first_new,
       (SELECT MIN(seq) FROM chat_events WHERE conversation_id = :conversation_id::text
          AND type = 'user_message' AND seq >= f.first_new) AS boundary
     FROM f`,
  ),

  conversationsBeyond: stmt(
    "conversationsBeyond",
    `SELECT conversation_id FROM chat_conversations
     WHERE event_count > 0 AND conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions)
     ORDER BY last_activity_ms DESC, conversation_id DESC OFFSET :keep::bigint`,
  ),

  unsavedEventCount: stmt(
    "unsavedEventCount",
    `SELECT COALESCE(SUM(event_count), 0) AS n FROM chat_conversations
     WHERE conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions)`,
  ),

  unsavedTimeAt: stmt(
    "unsavedTimeAt",
    `SELECT created_at_ms FROM chat_events
     WHERE conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions)
     ORDER BY created_at_ms LIMIT 1 OFFSET :offset::bigint`,
  ),

  refreshConversationStart: stmt(
    "refreshConversationStart",
    `UPDATE chat_conversations SET created_at_ms = COALESCE(
       (SELECT MIN(created_at_ms) FROM chat_events WHERE conversation_id = :conversation_id::text), created_at_ms)
     WHERE conversation_id = :conversation_id::text`,
  ),

  saveSession: stmt(
    "saveSession",
    `INSERT INTO chat_saved_sessions (id, conversation_id, name, created_at_ms, session_start_ms, session_end_ms,
       message_count, last_seq)
     SELECT :id::text, :conversation_id::text, :name::text, :created_at_ms::bigint, MIN(created_at_ms),
       MAX(created_at_ms), COUNT(*) FILTER (WHERE type IN ('user_message', 'assistant_message')), MAX(seq)
     FROM chat_events WHERE conversation_id = :conversation_id::text AND ${OWNED}
     HAVING COUNT(*) > 0
     RETURNING id`,
  ),

  trimSavedSessions: stmt(
    "trimSavedSessions",
    `DELETE FROM chat_saved_sessions WHERE id IN (SELECT id FROM chat_saved_sessions
       ORDER BY created_at_ms DESC, position DESC OFFSET :keep::bigint)`,
  ),

  expireSavedSessions: stmt(
    "expireSavedSessions",
    "DELETE FROM chat_saved_sessions WHERE created_at_ms < :cutoff_ms::bigint RETURNING id",
  ),

  listSavedSessions: stmt(
    "listSavedSessions",
    `SELECT * FROM chat_saved_sessions WHERE ${ownedBy("chat_saved_sessions.conversation_id")}
     ORDER BY created_at_ms DESC, position DESC`,
  ),

  savedSessionsPage: stmt(
    "savedSessionsPage",
    `SELECT position AS page_rowid, * FROM chat_saved_sessions
     WHERE (created_at_ms, position) < (:cursor_ms::bigint, :cursor_rowid::bigint)
       AND ${ownedBy("chat_saved_sessions.conversation_id")}
     ORDER BY created_at_ms DESC, position DESC LIMIT :limit::bigint`,
  ),

  savedSession: stmt(
    "savedSession",
    `SELECT * FROM chat_saved_sessions WHERE id = :id::text AND ${ownedBy("chat_saved_sessions.conversation_id")}`,
  ),

  deleteSavedSession: stmt(
    "deleteSavedSession",
    `DELETE FROM chat_saved_sessions WHERE id = :id::text AND ${ownedBy("chat_saved_sessions.conversation_id")}
     RETURNING id`,
  ),

  savedEvents: stmt(
    "savedEvents",
    `SELECT * FROM chat_events WHERE conversation_id = :conversation_id::text AND seq > :after_seq::bigint
     AND seq <= :last_seq::bigint AND ${OWNED} ORDER BY seq ${LIMIT}`,
  ),

  conversationFootprint: stmt(
    "conversationFootprint",
    `SELECT (SELECT COUNT(*) FROM chat_events WHERE conversation_id = :conversation_id::text) AS events,
            (SELECT COUNT(*) FROM chat_saved_sessions WHERE conversation_id = :conversation_id::text) AS saved
     WHERE ${OWNED}`,
  ),

  deleteConversationEvents: stmt(
    "deleteConversationEvents",
    `DELETE FROM chat_events WHERE conversation_id = :conversation_id::text AND ${OWNED}`,
  ),

  deleteConversationSaved: stmt(
    "deleteConversationSaved",
    `DELETE FROM chat_saved_sessions WHERE conversation_id = :conversation_id::text AND ${OWNED}`,
  ),

  deleteConversationSummary: stmt(
    "deleteConversationSummary",
    `DELETE FROM chat_conversations WHERE conversation_id = :conversation_id::text AND ${OWNED}`,
  ),

  deleteConversationClaims: stmt(
    "deleteConversationClaims",
    `DELETE FROM chat_turn_claims WHERE conversation_id = :conversation_id::text AND ${OWNED}`,
  ),

  /** Sets or clears the title a person gave a conversation that has events; returns it when there is one. */
  setConversationTitle: stmt(
    "setConversationTitle",
    `UPDATE chat_conversations SET title = :title::text
     WHERE conversation_id = :conversation_id::text AND event_count > 0 AND ${OWNED} RETURNING conversation_id`,
  ),

  /** Postgres's vacuum: gives dead rows' space back for reuse and refreshes the planner's statistics. */
  vacuumAnalyze: stmt(
    "vacuumAnalyze",
    "VACUUM (ANALYZE) chat_events, chat_conversations, chat_saved_sessions",
  ),

  databaseBytes: stmt("databaseBytes", "SELECT pg_database_size(current_database()) AS bytes"),
} as const satisfies Statements;
