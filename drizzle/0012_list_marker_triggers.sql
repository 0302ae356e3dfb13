-- The list's indexes (idx_conversations_activity, idx_conversations_owner: drizzle/0011) hold
-- last_activity_ms and, in their condition, listed. SQLite rewrites an index entry whenever an
-- UPDATE sets a column the index names, whatever the value, so an upsert that set
-- last_activity_ms and event_count on every insert rewrote the entry every time: about a fifth of
-- an awaited append's cost. The summary is now kept in two steps: the counters (columns no index
-- names), then last_activity_ms and listed only when one of them changes. Rows written by the
-- Python system go through the same triggers, so their summaries stay right.
UPDATE `chat_conversations` SET listed = 1 WHERE event_count > 0;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `chatlog_events_count_insert`;
--> statement-breakpoint
CREATE TRIGGER `chatlog_events_count_insert`
AFTER INSERT ON `chat_events`
BEGIN
  INSERT INTO `chat_conversations` (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq, auto_title, auto_title_seq, listed)
  VALUES (NEW.conversation_id, COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0), COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0), 1, NEW.seq,
    -- Read only when this message can be the title: most user messages follow a titled one.
    CASE WHEN NEW.type = 'user_message' AND NOT EXISTS (SELECT 1 FROM `chat_conversations` c
        WHERE c.conversation_id = NEW.conversation_id AND c.auto_title_seq <= NEW.seq)
      THEN (SELECT t.title FROM `chatlog_user_message_titles` t
            WHERE t.conversation_id = NEW.conversation_id AND t.seq = NEW.seq) END,
    CASE WHEN NEW.type = 'user_message' THEN NEW.seq END, 1)
  ON CONFLICT (conversation_id) DO UPDATE SET
    created_at_ms = CASE WHEN event_count = 0 THEN excluded.created_at_ms
                         ELSE min(created_at_ms, excluded.created_at_ms) END,
    event_count = event_count + 1,
    last_seq = max(last_seq, excluded.last_seq),
    auto_title = CASE WHEN excluded.auto_title_seq IS NOT NULL
                        AND (auto_title_seq IS NULL OR excluded.auto_title_seq < auto_title_seq)
                      THEN excluded.auto_title ELSE auto_title END,
    auto_title_seq = CASE WHEN excluded.auto_title_seq IS NOT NULL
                            AND (auto_title_seq IS NULL OR excluded.auto_title_seq < auto_title_seq)
                          THEN excluded.auto_title_seq ELSE auto_title_seq END;
  -- A conversation that had no events (new through claimConversation, or emptied by retention)
  -- takes this event's time as its last activity, as before; otherwise the time only grows.
  -- Most appends land in a millisecond that is already the last activity and change nothing.
  UPDATE `chat_conversations` SET
    last_activity_ms = COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0),
    listed = 1
  WHERE conversation_id = NEW.conversation_id
    AND (listed IS NULL OR last_activity_ms < COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0));
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `chatlog_events_count_delete`;
--> statement-breakpoint
-- drizzle/0007's trigger (a person's title goes when the last event goes) fired on every update
-- of event_count, so on every append, to find the rare one that reached 0: about 5% of an
-- awaited append's SQL. Deletions are the only writes that bring event_count to 0, so the delete
-- trigger below does it instead.
DROP TRIGGER IF EXISTS `trg_conversation_title_reset`;
--> statement-breakpoint
-- Deletions (compaction removes a turn's deltas) count down without touching the list's indexes;
-- the last event gone takes the conversation out of the list and clears the title a person gave
-- it (an id used again starts afresh).
CREATE TRIGGER `chatlog_events_count_delete`
AFTER DELETE ON `chat_events`
BEGIN
  UPDATE `chat_conversations` SET event_count = event_count - 1 WHERE conversation_id = OLD.conversation_id;
  UPDATE `chat_conversations` SET listed = NULL, title = NULL
  WHERE conversation_id = OLD.conversation_id AND event_count <= 0
    AND (listed IS NOT NULL OR title IS NOT NULL);
END;
