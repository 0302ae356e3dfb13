import { MAX_SEQ } from "@chatlog/core";
import { type Statements, statement } from "@chatlog/engine";

/**
 * Every SQL statement chatlog runs against a SQLite database (chat_events and its companion
 * tables): SQLite's SQL lives here once, and each SQLite driver only executes it. Parameters are
 * :named; values are never spliced into the text.
 */
const stmt = statement;

/**
 * The condition getConversationHistory selects by (the LLM-visible events). Of a turn answered
 * more than once (regenerated), only the highest attempt is current: an event of an older
 * attempt (extra.attempt, absent meaning 1) is left out as soon as any event of a newer attempt
 * of the same user request exists. The lookup runs on idx_turn_events, over that turn's events.
 */
const LLM_VISIBLE = `(type IN ('user_message', 'assistant_message', 'tool_call', 'tool_result')
  OR (type = 'system_update' AND json_type(extra, '$.visible_to_model') = 'true'))
  AND (user_request_id IS NULL OR NOT EXISTS (SELECT 1 FROM chat_events newer INDEXED BY idx_turn_events
    WHERE newer.conversation_id = chat_events.conversation_id
      AND newer.user_request_id = chat_events.user_request_id
      AND COALESCE(json_extract(newer.extra, '$.attempt'), 1) > COALESCE(json_extract(chat_events.extra, '$.attempt'), 1)))`;

/**
 * The columns an event is decoded from: every stored column, without the generated request_id
 * and user_request_id (each a json_extract per row, and the decoder reads extra instead).
 */
const EVENT = `id, conversation_id, seq, schema_version, type, role, content, content_format, tool_calls, usage,
  token_count, provider, model, stop_reason, created_at, created_at_unix, created_at_ms, extra, raw`;

/** The database's clock in UTC milliseconds (one clock for every process sharing the database). */
const DB_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

const INSERT_COLUMNS = `INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, role, content,
  content_format, tool_calls, usage, token_count, provider, model, stop_reason, created_at, created_at_unix,
  created_at_ms, extra, raw)`;

// The next seq comes from the conversation's high-water mark, read inside the INSERT itself, so
// the read and the write are one atomic statement even across processes, and deleted seqs are
// never reissued. `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT.
// Past MAX_SEQ the seq is NULL, which seq's NOT NULL constraint refuses: the write fails (and the
// rest of its job rolls back with it), so nothing is written (see SqliteChatRepository.appending).
const INSERT_VALUES = `SELECT :id, :conversation_id,
  NULLIF(min(COALESCE((SELECT last_seq FROM chat_conversations WHERE conversation_id = :conversation_id), 0) + 1,
    ${MAX_SEQ + 1}), ${MAX_SEQ + 1}),
  :schema_version, :type, :role, :content, :content_format, :tool_calls, :usage, :token_count, :provider,
  :model, :stop_reason, :created_at, :created_at_unix, :created_at_ms, :extra, :raw`;

/**
 * The claim condition of a generator's writes: :held_owner still holds the claim on turn
 * (:conversation_id, :held_request_id, :held_attempt). Part of the write statement itself, so
 * no gap opens between checking the claim and writing, even across processes.
 */
const HELD = `EXISTS (SELECT 1 FROM chat_turn_claims WHERE conversation_id = :conversation_id
  AND user_request_id = :held_request_id AND attempt = :held_attempt AND owner_id = :held_owner)`;

/**
 * Ownership, the one rule every statement that touches a conversation applies: with :owner_id
 * NULL (the unscoped, administrator's repository) everything passes; with a user's id only
 * conversations whose summary row names that user do. The engine binds :owner_id on every
 * statement (chat-repository.ts withOwner), so a forOwner repository cannot reach another
 * user's rows through any statement: reads find nothing, writes change nothing.
 */
const ownedBy = (
  conversationIdSql: string,
) => `(:owner_id IS NULL OR EXISTS (SELECT 1 FROM chat_conversations own
  WHERE own.conversation_id = ${conversationIdSql} AND own.owner_id = :owner_id))`;
const OWNED = ownedBy(":conversation_id");

/**
 * Lists read conversations WHERE listed = 1 (as well as event_count > 0, the truth listed
 * mirrors): the condition of the list's partial indexes, so the planner can use them (see
 * chat_conversations.listed in @chatlog/schema).
 *
 * A conversation's list summary: a title a person set (custom_title) wins; else auto_title, the
 * start of the first user message's text kept by the triggers of drizzle/0009, so a page reads
 * no events. The engine's decoder applies that rule: a CASE here cost every row of a page about
 * 2% of the page (measured against the page without titles). One definition for every list.
 */
const SUMMARY_COLUMNS = `conversation_id, created_at_ms, last_activity_ms, event_count, owner_id,
  title AS custom_title, auto_title`;

export const SQL = {
  /** Appends one event; returns [] when its id or (conversation_id, request_id) already exists. */
  append: stmt(
    "append",
    `${INSERT_COLUMNS} ${INSERT_VALUES} WHERE ${OWNED} ON CONFLICT DO NOTHING RETURNING seq`,
  ),

  /** As append, but only while no assistant reply to :user_request_id exists. */
  appendUnanswered: stmt(
    "appendUnanswered",
    `${INSERT_COLUMNS} ${INSERT_VALUES}
     WHERE NOT EXISTS (SELECT 1 FROM chat_events WHERE conversation_id = :conversation_id
       AND user_request_id = :user_request_id AND type = 'assistant_message') AND ${OWNED}
     ON CONFLICT DO NOTHING RETURNING seq`,
  ),

  /** As append, but only while :held_owner holds the turn's claim (see HELD); [] otherwise. */
  appendHeld: stmt(
    "appendHeld",
    `${INSERT_COLUMNS} ${INSERT_VALUES} WHERE ${HELD} AND ${OWNED} ON CONFLICT DO NOTHING RETURNING seq`,
  ),

  /** One row when :held_owner holds the turn's claim (read in the same job as a held write). */
  heldClaim: stmt("heldClaim", `SELECT 1 AS held WHERE ${HELD}`),

  /** The stored event that made an append a duplicate. */
  findDuplicate: stmt(
    "findDuplicate",
    `SELECT ${EVENT} FROM chat_events WHERE conversation_id = :conversation_id AND request_id = :request_id AND ${OWNED}
     UNION ALL SELECT ${EVENT} FROM chat_events WHERE id = :id AND ${ownedBy("chat_events.conversation_id")} LIMIT 1`,
  ),

  byRequestId: stmt(
    "byRequestId",
    `SELECT ${EVENT} FROM chat_events WHERE conversation_id = :conversation_id AND request_id = :request_id AND ${OWNED}`,
  ),

  /** The newest assistant reply to a user request (one indexed lookup, legacy replies included). */
  replyTo: stmt(
    "replyTo",
    `SELECT ${EVENT} FROM chat_events WHERE conversation_id = :conversation_id AND user_request_id = :user_request_id
     AND type = 'assistant_message' AND ${OWNED} ORDER BY seq DESC LIMIT 1`,
  ),

  replyIdTo: stmt(
    "replyIdTo",
    `SELECT id FROM chat_events WHERE conversation_id = :conversation_id AND user_request_id = :user_request_id
     AND type = 'assistant_message' AND ${OWNED} ORDER BY seq DESC LIMIT 1`,
  ),

  /** Events after :after_seq and before :before_seq, oldest first. */
  eventsForward: stmt(
    "eventsForward",
    `SELECT ${EVENT} FROM chat_events WHERE conversation_id = :conversation_id AND seq > :after_seq AND seq < :before_seq
     AND ${OWNED} ORDER BY seq LIMIT :limit`,
  ),

  /** The :limit events just before :before_seq, returned oldest first. */
  eventsBackward: stmt(
    "eventsBackward",
    `SELECT * FROM (SELECT ${EVENT} FROM chat_events WHERE conversation_id = :conversation_id AND seq < :before_seq
       AND ${OWNED} ORDER BY seq DESC LIMIT :limit) ORDER BY seq`,
  ),

  /**
   * Every LLM-visible event before :before_seq, oldest first: the whole history, read forward
   * through the (conversation_id, seq) index with no sort (history with a limit has to read
   * backwards and sort what it keeps).
   */
  historyAll: stmt(
    "historyAll",
    `SELECT ${EVENT} FROM chat_events WHERE conversation_id = :conversation_id AND seq < :before_seq
       AND ${LLM_VISIBLE} AND ${OWNED} ORDER BY seq`,
  ),

  /** The most recent :limit LLM-visible events, oldest first. */
  history: stmt(
    "history",
    `SELECT * FROM (SELECT ${EVENT} FROM chat_events WHERE conversation_id = :conversation_id AND seq < :before_seq
       AND ${LLM_VISIBLE} AND ${OWNED} ORDER BY seq DESC LIMIT :limit) ORDER BY seq`,
  ),

  /**
   * A page of every user's conversations (the administrator's list; one user's is
   * listOwnerConversations), most recently active first, after the (:cursor_ms, :cursor_id) key,
   * with the titles the summary keeps (see SUMMARY_COLUMNS). No ownership condition: the engine
   * runs this statement only for the unscoped repository, where it would always pass, and
   * evaluating it per row cost a few percent of the page.
   */
  listConversations: stmt(
    "listConversations",
    `SELECT ${SUMMARY_COLUMNS} FROM chat_conversations
     WHERE listed = 1 AND event_count > 0 AND (last_activity_ms, conversation_id) < (:cursor_ms, :cursor_id)
     ORDER BY last_activity_ms DESC, conversation_id DESC LIMIT :limit`,
  ),

  /** As listConversations for one user (:list_owner), on idx_conversations_owner: never a scan of the others'. */
  listOwnerConversations: stmt(
    "listOwnerConversations",
    `SELECT ${SUMMARY_COLUMNS} FROM chat_conversations INDEXED BY idx_conversations_owner
     WHERE owner_id = :list_owner AND owner_id IS NOT NULL AND listed = 1 AND event_count > 0
       AND (last_activity_ms, conversation_id) < (:cursor_ms, :cursor_id)
     ORDER BY last_activity_ms DESC, conversation_id DESC LIMIT :limit`,
  ),

  /** One conversation's list summary (nothing when it has no events, as the list leaves it out). */
  conversationSummary: stmt(
    "conversationSummary",
    `SELECT ${SUMMARY_COLUMNS} FROM chat_conversations
     WHERE conversation_id = :conversation_id AND event_count > 0 AND ${OWNED}`,
  ),

  /**
   * Makes a new conversation :owner_id's before its first event is appended (in the same job):
   * the first write decides, and a conversation that exists already is left as it is.
   */
  claimConversation: stmt(
    "claimConversation",
    `INSERT INTO chat_conversations (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq, owner_id)
     SELECT :conversation_id, :now_ms, :now_ms, 0, 0, :owner_id WHERE :owner_id IS NOT NULL
     ON CONFLICT (conversation_id) DO NOTHING`,
  ),

  /** One row when :conversation_id exists and is not :owner_id's (a scoped write must be refused). */
  foreignConversation: stmt(
    "foreignConversation",
    `SELECT 1 AS foreign_owner FROM chat_conversations WHERE conversation_id = :conversation_id
     AND :owner_id IS NOT NULL AND (owner_id IS NULL OR owner_id <> :owner_id)`,
  ),

  /** Sets or clears the title a person gave a conversation that has events; returns it when there is one. */
  setConversationTitle: stmt(
    "setConversationTitle",
    `UPDATE chat_conversations SET title = :title WHERE conversation_id = :conversation_id AND event_count > 0 AND ${OWNED}
     RETURNING conversation_id`,
  ),

  /** Removes the streamed deltas of one attempt of a turn (compaction). */
  deleteDeltas: stmt(
    "deleteDeltas",
    `DELETE FROM chat_events WHERE conversation_id = :conversation_id AND user_request_id = :user_request_id
     AND type = 'meta' AND json_extract(extra, '$.kind') = :kind
     AND COALESCE(json_extract(extra, '$.attempt'), 1) = :attempt AND ${OWNED}`,
  ),

  /** As deleteDeltas, but only while :held_owner holds the turn's claim (held compaction). */
  deleteDeltasHeld: stmt(
    "deleteDeltasHeld",
    `DELETE FROM chat_events WHERE conversation_id = :conversation_id AND user_request_id = :held_request_id
     AND type = 'meta' AND json_extract(extra, '$.kind') = :kind
     AND COALESCE(json_extract(extra, '$.attempt'), 1) = :held_attempt AND ${HELD} AND ${OWNED}`,
  ),

  /** Every event of one user turn (deltas, tool calls, reply), in seq order. */
  turnEvents: stmt(
    "turnEvents",
    // INDEXED BY: left alone, the planner walks the whole conversation in seq order to skip a sort.
    `SELECT ${EVENT} FROM chat_events INDEXED BY idx_turn_events
     WHERE conversation_id = :conversation_id AND user_request_id = :user_request_id AND ${OWNED} ORDER BY seq`,
  ),

  /**
   * Deltas whose attempt already has its reply: compaction removed the others, so these were
   * appended afterwards by a generator that had lost its claim and then died before its own
   * compaction (possible only before appendHeld; kept for databases written then). Deleted in
   * slices of :batch; the reply is authoritative, so nothing is lost.
   */
  deleteOrphanDeltas: stmt(
    "deleteOrphanDeltas",
    `DELETE FROM chat_events WHERE rowid IN (SELECT d.rowid FROM chat_events d
       WHERE d.type = 'meta' AND d.user_request_id IS NOT NULL AND json_extract(d.extra, '$.kind') = :kind
         AND EXISTS (SELECT 1 FROM chat_events r INDEXED BY idx_turn_events
           WHERE r.conversation_id = d.conversation_id AND r.user_request_id = d.user_request_id
             AND r.type = 'assistant_message'
             AND COALESCE(json_extract(r.extra, '$.attempt'), 1) = COALESCE(json_extract(d.extra, '$.attempt'), 1))
       LIMIT :batch)
     RETURNING 1 AS deleted`,
  ),

  /** A deleted conversation's turn claims go with it. */
  deleteConversationClaims: stmt(
    "deleteConversationClaims",
    `DELETE FROM chat_turn_claims WHERE conversation_id = :conversation_id AND ${OWNED}`,
  ),

  /** Turns with streamed deltas but no assistant reply: interrupted generations. */
  unfinishedTurns: stmt(
    "unfinishedTurns",
    `SELECT DISTINCT d.conversation_id, d.user_request_id FROM chat_events d
     WHERE d.type = 'meta' AND d.user_request_id IS NOT NULL AND json_extract(d.extra, '$.kind') = :kind
       AND NOT EXISTS (SELECT 1 FROM chat_events r WHERE r.conversation_id = d.conversation_id
         AND r.user_request_id = d.user_request_id AND r.type = 'assistant_message')
       AND ${ownedBy("d.conversation_id")}`,
  ),

  /** Stages one event of import :import_id at input position :ord (see import-events.ts). */
  stageImport: stmt(
    "stageImport",
    `INSERT INTO chatlog_import_staging (import_id, ord, started_at_ms, id, conversation_id, seq, schema_version,
       type, role, content, content_format, tool_calls, usage, token_count, provider, model, stop_reason,
       created_at, created_at_unix, created_at_ms, extra, raw)
     VALUES (:import_id, :ord, :started_at_ms, :id, :conversation_id, :seq, :schema_version, :type, :role,
       :content, :content_format, :tool_calls, :usage, :token_count, :provider, :model, :stop_reason,
       :created_at, :created_at_unix, :created_at_ms, :extra, :raw)`,
  ),

  /**
   * The first staged event in positions :from..:to that collides with a stored event other than
   * itself: its id stored elsewhere, its position taken, or its request id used. An event stored
   * with the same id at the same position is a re-import, not a collision.
   */
  stagedConflict: stmt(
    "stagedConflict",
    `SELECT s.ord, s.id FROM chatlog_import_staging s
     WHERE s.import_id = :import_id AND s.ord BETWEEN :from AND :to AND (
       EXISTS (SELECT 1 FROM chat_events e WHERE e.id = s.id
               AND (e.conversation_id <> s.conversation_id OR e.seq <> s.seq))
       OR EXISTS (SELECT 1 FROM chat_events e WHERE e.conversation_id = s.conversation_id AND e.seq = s.seq
               AND e.id <> s.id)
       OR EXISTS (SELECT 1 FROM chat_events e WHERE e.conversation_id = s.conversation_id
               AND e.request_id = json_extract(s.extra, '$.request_id') AND e.id <> s.id))
     ORDER BY s.ord LIMIT 1`,
  ),

  /**
   * Publishes a staged import: every staged event not already stored at its position, in input
   * order, as one statement. Any collision fails the statement, so nothing of the import lands.
   * One row per event published (the same in every dialect; SQLite's changes() has no peer).
   */
  publishImport: stmt(
    "publishImport",
    `${INSERT_COLUMNS} SELECT id, conversation_id, seq, schema_version, type, role, content, content_format,
       tool_calls, usage, token_count, provider, model, stop_reason, created_at, created_at_unix, created_at_ms,
       extra, raw
     FROM chatlog_import_staging s WHERE s.import_id = :import_id
       AND NOT EXISTS (SELECT 1 FROM chat_events e WHERE e.id = s.id AND e.conversation_id = s.conversation_id
                       AND e.seq = s.seq)
     ORDER BY s.ord
     RETURNING 1 AS published`,
  ),

  /** A conversation's high-water mark (its highest seq ever given out). */
  lastSeq: stmt(
    "lastSeq",
    "SELECT last_seq FROM chat_conversations WHERE conversation_id = :conversation_id",
  ),

  /** Deletes up to :batch staged rows of one import. */
  unstageSlice: stmt(
    "unstageSlice",
    `DELETE FROM chatlog_import_staging WHERE rowid IN (SELECT rowid FROM chatlog_import_staging
       WHERE import_id = :import_id LIMIT :batch)
     RETURNING 1 AS deleted`,
  ),

  /** Deletes up to :batch staged rows of imports begun before :cutoff_ms (their process died). */
  sweepStagingSlice: stmt(
    "sweepStagingSlice",
    `DELETE FROM chatlog_import_staging WHERE rowid IN (SELECT rowid FROM chatlog_import_staging
       WHERE started_at_ms < :cutoff_ms LIMIT :batch)
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
    `SELECT (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size) AS bytes,
            (SELECT COUNT(*) FROM chat_saved_sessions) AS saved_sessions`,
  ),

  /** Adds one to a persistent counter and returns the new value. */
  bumpCounter: stmt(
    "bumpCounter",
    `INSERT INTO chatlog_state (key, value) VALUES (:key, 1)
     ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value`,
  ),

  /** Deletes up to :batch events of conversations that are not saved (the full wipe, in slices). */
  wipeSlice: stmt(
    "wipeSlice",
    `DELETE FROM chat_events WHERE rowid IN (SELECT rowid FROM chat_events
       WHERE conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions) LIMIT :batch)
     RETURNING 1 AS deleted`,
  ),

  /** Deletes up to :batch events of one conversation with seq < :before_seq. */
  deleteBeforeSlice: stmt(
    "deleteBeforeSlice",
    `DELETE FROM chat_events WHERE rowid IN (SELECT rowid FROM chat_events
       WHERE conversation_id = :conversation_id AND seq < :before_seq LIMIT :batch)
     RETURNING 1 AS deleted`,
  ),

  /**
   * Unsaved conversations holding at least one event older than :cutoff_ms. The summary's start
   * (the oldest event's time, never later than it) picks the candidates without an index on
   * chat_events.created_at_ms; the EXISTS confirms each one on its own events, since the start
   * can lag behind deletions that removed the oldest events.
   */
  conversationsWithOldEvents: stmt(
    "conversationsWithOldEvents",
    `SELECT c.conversation_id FROM chat_conversations c
     WHERE c.event_count > 0 AND c.created_at_ms < :cutoff_ms
       AND c.conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions)
       AND EXISTS (SELECT 1 FROM chat_events e WHERE e.conversation_id = c.conversation_id
                   AND e.created_at_ms < :cutoff_ms)`,
  ),

  /**
   * Where an age cut may fall in one conversation: before the last user message at or before the
   * first event that is not old. Cutting only at the start of a turn never separates a tool call
   * from its result nor a streamed reply from its request. NULL first_new: every event is old.
   */
  turnBoundary: stmt(
    "turnBoundary",
    `WITH f AS (SELECT MIN(seq) AS first_new FROM chat_events
                WHERE conversation_id = :conversation_id AND created_at_ms >= :cutoff_ms)
     SELECT f.first_new,
       (SELECT MAX(seq) FROM chat_events WHERE conversation_id = :conversation_id
          AND type = 'user_message' AND seq <= f.first_new) AS boundary
     FROM f`,
  ),

  /**
   * Where a maximum-count cut may fall in one conversation: at the first user message at or
   * after the first event that is not old, so the cut never keeps more than asked (it removes the
   * rest of a turn that straddles the cutoff instead). NULL boundary: no turn starts after it, and
   * the whole conversation goes.
   */
  turnBoundaryAfter: stmt(
    "turnBoundaryAfter",
    `WITH f AS (SELECT MIN(seq) AS first_new FROM chat_events
                WHERE conversation_id = :conversation_id AND created_at_ms >= :cutoff_ms)
     SELECT f.first_new,
       (SELECT MIN(seq) FROM chat_events WHERE conversation_id = :conversation_id
          AND type = 'user_message' AND seq >= f.first_new) AS boundary
     FROM f`,
  ),

  /** Unsaved conversations beyond the :keep most recently active. */
  conversationsBeyond: stmt(
    "conversationsBeyond",
    `SELECT conversation_id FROM chat_conversations
     WHERE listed = 1 AND event_count > 0 AND conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions)
     ORDER BY last_activity_ms DESC, conversation_id DESC LIMIT -1 OFFSET :keep`,
  ),

  unsavedEventCount: stmt(
    "unsavedEventCount",
    `SELECT COALESCE(SUM(event_count), 0) AS n FROM chat_conversations
     WHERE conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions)`,
  ),

  /** The timestamp of the :offset-th oldest unsaved event (0-based). */
  unsavedTimeAt: stmt(
    "unsavedTimeAt",
    `SELECT created_at_ms FROM chat_events
     WHERE conversation_id NOT IN (SELECT conversation_id FROM chat_saved_sessions)
     ORDER BY created_at_ms LIMIT 1 OFFSET :offset`,
  ),

  /**
   * Re-derives a conversation's start after its oldest events were deleted (the delete trigger
   * only maintains the count; last activity cannot change when only the oldest events go).
   */
  refreshConversationStart: stmt(
    "refreshConversationStart",
    `UPDATE chat_conversations SET created_at_ms = COALESCE(
       (SELECT MIN(created_at_ms) FROM chat_events WHERE conversation_id = :conversation_id), created_at_ms)
     WHERE conversation_id = :conversation_id`,
  ),

  saveSession: stmt(
    "saveSession",
    `INSERT INTO chat_saved_sessions (id, conversation_id, name, created_at_ms, session_start_ms, session_end_ms,
       message_count, last_seq)
     SELECT :id, :conversation_id, :name, :created_at_ms, MIN(created_at_ms), MAX(created_at_ms),
       SUM(type IN ('user_message', 'assistant_message')), MAX(seq)
     FROM chat_events WHERE conversation_id = :conversation_id AND ${OWNED}
     HAVING COUNT(*) > 0
     RETURNING id`,
  ),

  /** Drops the oldest saved sessions beyond :keep. */
  trimSavedSessions: stmt(
    "trimSavedSessions",
    `DELETE FROM chat_saved_sessions WHERE id IN (SELECT id FROM chat_saved_sessions
       ORDER BY created_at_ms DESC, rowid DESC LIMIT -1 OFFSET :keep)`,
  ),

  expireSavedSessions: stmt(
    "expireSavedSessions",
    "DELETE FROM chat_saved_sessions WHERE created_at_ms < :cutoff_ms RETURNING id",
  ),

  listSavedSessions: stmt(
    "listSavedSessions",
    `SELECT * FROM chat_saved_sessions WHERE ${ownedBy("chat_saved_sessions.conversation_id")}
     ORDER BY created_at_ms DESC, rowid DESC`,
  ),

  /** A page of saved sessions in listSavedSessions order, after the (:cursor_ms, :cursor_rowid) key. */
  savedSessionsPage: stmt(
    "savedSessionsPage",
    `SELECT rowid AS page_rowid, * FROM chat_saved_sessions WHERE (created_at_ms, rowid) < (:cursor_ms, :cursor_rowid)
       AND ${ownedBy("chat_saved_sessions.conversation_id")} ORDER BY created_at_ms DESC, rowid DESC LIMIT :limit`,
  ),

  savedSession: stmt(
    "savedSession",
    `SELECT * FROM chat_saved_sessions WHERE id = :id AND ${ownedBy("chat_saved_sessions.conversation_id")}`,
  ),

  deleteSavedSession: stmt(
    "deleteSavedSession",
    `DELETE FROM chat_saved_sessions WHERE id = :id AND ${ownedBy("chat_saved_sessions.conversation_id")}
     RETURNING id`,
  ),

  savedEvents: stmt(
    "savedEvents",
    `SELECT ${EVENT} FROM chat_events WHERE conversation_id = :conversation_id AND seq > :after_seq AND seq <= :last_seq
     AND ${OWNED} ORDER BY seq LIMIT :limit`,
  ),

  /** What deleteConversation is about to remove (read in the same transaction as the deletes). */
  conversationFootprint: stmt(
    "conversationFootprint",
    `SELECT (SELECT COUNT(*) FROM chat_events WHERE conversation_id = :conversation_id) AS events,
            (SELECT COUNT(*) FROM chat_saved_sessions WHERE conversation_id = :conversation_id) AS saved
     WHERE ${OWNED}`,
  ),

  deleteConversationEvents: stmt(
    "deleteConversationEvents",
    `DELETE FROM chat_events WHERE conversation_id = :conversation_id AND ${OWNED}`,
  ),

  deleteConversationSaved: stmt(
    "deleteConversationSaved",
    `DELETE FROM chat_saved_sessions WHERE conversation_id = :conversation_id AND ${OWNED}`,
  ),

  /** The summary row goes too (after its events, whose delete trigger updates it). */
  deleteConversationSummary: stmt(
    "deleteConversationSummary",
    `DELETE FROM chat_conversations WHERE conversation_id = :conversation_id AND ${OWNED}`,
  ),

  /** auto_vacuum: 0 none, 1 full, 2 incremental; the size figures vacuum reports. */
  vacuumState: stmt(
    "vacuumState",
    `SELECT (SELECT auto_vacuum FROM pragma_auto_vacuum) AS auto_vacuum,
            (SELECT freelist_count FROM pragma_freelist_count) AS free_pages,
            (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size) AS bytes`,
  ),

  /** Takes effect at the next VACUUM, which rebuilds the file with the pointer maps it needs. */
  useIncrementalVacuum: stmt("useIncrementalVacuum", "PRAGMA auto_vacuum = INCREMENTAL"),

  vacuum: stmt("vacuum", "VACUUM"),

  /** Releases up to 256 free pages (1 MiB at 4 KiB pages): one short write transaction. */
  incrementalVacuumSlice: {
    ...stmt("incrementalVacuumSlice", "PRAGMA incremental_vacuum(256)"),
    stepAll: true,
  },

  /** Moves the WAL back into the file and truncates it, so the freed space leaves the disk. */
  checkpointTruncate: stmt("checkpointTruncate", "PRAGMA wal_checkpoint(TRUNCATE)"),

  /**
   * Takes the claim on a turn: inserted when nobody holds it, taken over when its holder's
   * heartbeat is older than :stale_ms (database clock) or its holder is :dead_owner (known to be
   * gone), renewed when :claim_owner already holds it. Returns the row only when the claim is now
   * :claim_owner's (a process, not a user: see OWNED); message_id never changes once set. One statement, so it is atomic across
   * processes.
   */
  claimTurn: stmt(
    "claimTurn",
    `INSERT INTO chat_turn_claims (conversation_id, user_request_id, attempt, owner_id, message_id,
       claimed_at_ms, heartbeat_ms, takeovers)
     SELECT :conversation_id, :user_request_id, :attempt, :claim_owner, :message_id, ${DB_NOW_MS}, ${DB_NOW_MS}, 0
     WHERE ${OWNED}
     ON CONFLICT (conversation_id, user_request_id, attempt) DO UPDATE SET
       takeovers = takeovers + (chat_turn_claims.owner_id <> excluded.owner_id),
       owner_id = excluded.owner_id, heartbeat_ms = excluded.heartbeat_ms
     WHERE chat_turn_claims.owner_id = excluded.owner_id OR chat_turn_claims.owner_id = :dead_owner
       OR chat_turn_claims.heartbeat_ms < excluded.heartbeat_ms - :stale_ms
     RETURNING *`,
  ),

  /** One turn's claim, whoever holds it, with the database clock's age of its heartbeat. */
  turnClaim: stmt(
    "turnClaim",
    `SELECT *, ${DB_NOW_MS} - heartbeat_ms AS age_ms FROM chat_turn_claims
     WHERE conversation_id = :conversation_id AND user_request_id = :user_request_id AND attempt = :attempt
       AND ${OWNED}`,
  ),

  /** Every claim in one conversation (turns in flight there), oldest first. */
  conversationClaims: stmt(
    "conversationClaims",
    `SELECT *, ${DB_NOW_MS} - heartbeat_ms AS age_ms FROM chat_turn_claims
     WHERE conversation_id = :conversation_id AND ${OWNED} ORDER BY claimed_at_ms, rowid`,
  ),

  /** Refreshes every claim :claim_owner holds (one statement per heartbeat, however many turns). */
  heartbeatClaims: stmt(
    "heartbeatClaims",
    `UPDATE chat_turn_claims SET heartbeat_ms = ${DB_NOW_MS} WHERE owner_id = :claim_owner
     RETURNING conversation_id, user_request_id, attempt`,
  ),

  /** Gives a claim up (its reply is stored, or it was never started); only its holder can. */
  releaseClaim: stmt(
    "releaseClaim",
    `DELETE FROM chat_turn_claims WHERE conversation_id = :conversation_id
     AND user_request_id = :user_request_id AND attempt = :attempt AND owner_id = :claim_owner AND ${OWNED}`,
  ),

  /** Claims whose heartbeat is older than :stale_ms: their generator is presumed gone. */
  staleClaims: stmt(
    "staleClaims",
    `SELECT *, ${DB_NOW_MS} - heartbeat_ms AS age_ms FROM chat_turn_claims
     WHERE heartbeat_ms < ${DB_NOW_MS} - :stale_ms AND ${ownedBy("chat_turn_claims.conversation_id")}
     ORDER BY heartbeat_ms LIMIT :limit`,
  ),

  pragmas: stmt(
    "pragmas",
    `SELECT (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode,
            (SELECT synchronous FROM pragma_synchronous) AS synchronous,
            (SELECT timeout FROM pragma_busy_timeout) AS busy_timeout`,
  ),
} as const satisfies Statements;
