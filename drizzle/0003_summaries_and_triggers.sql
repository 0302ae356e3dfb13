-- UTC milliseconds for rows written before chatlog: from the ISO text (naive UTC in the Python
-- system), which, unlike its created_at_unix, is not skewed by the writer's time zone.
UPDATE `chat_events`
SET created_at_ms = COALESCE(
  CAST(round((julianday(created_at) - 2440587.5) * 86400000.0) AS INTEGER),
  created_at_unix * 1000,
  0)
WHERE created_at_ms IS NULL;
--> statement-breakpoint
INSERT INTO `chat_conversations` (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq)
SELECT conversation_id, MIN(created_at_ms), MAX(created_at_ms), COUNT(*), MAX(seq)
FROM `chat_events`
GROUP BY conversation_id
ON CONFLICT (conversation_id) DO NOTHING;
--> statement-breakpoint
-- The Python system keeps writing after the migration, naming only its own columns:
-- give its rows the millisecond timestamp chatlog reads and ages by.
CREATE TRIGGER IF NOT EXISTS `chatlog_events_fill_created_at_ms`
AFTER INSERT ON `chat_events`
WHEN NEW.created_at_ms IS NULL
BEGIN
  UPDATE `chat_events` SET created_at_ms = COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0) WHERE rowid = NEW.rowid;
END;
--> statement-breakpoint
-- Conversation summaries follow every insert, whoever writes it. last_seq only grows, so a seq
-- freed by a deletion (compaction, retention) is never handed out again.
CREATE TRIGGER IF NOT EXISTS `chatlog_events_count_insert`
AFTER INSERT ON `chat_events`
BEGIN
  INSERT INTO `chat_conversations` (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq)
  VALUES (NEW.conversation_id, COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0), COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0), 1, NEW.seq)
  ON CONFLICT (conversation_id) DO UPDATE SET
    created_at_ms = CASE WHEN event_count = 0 THEN excluded.created_at_ms
                         ELSE min(created_at_ms, excluded.created_at_ms) END,
    last_activity_ms = CASE WHEN event_count = 0 THEN excluded.last_activity_ms
                            ELSE max(last_activity_ms, excluded.last_activity_ms) END,
    event_count = event_count + 1,
    last_seq = max(last_seq, excluded.last_seq);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `chatlog_events_count_delete`
AFTER DELETE ON `chat_events`
BEGIN
  UPDATE `chat_conversations` SET event_count = event_count - 1 WHERE conversation_id = OLD.conversation_id;
END;
