-- Conversation summaries (chat_conversations: event count, first and last activity, last_seq)
-- follow every insert and delete on chat_events, whichever statement made it: an append, a
-- grouped append of many events, an import's publish, compaction, retention. Statement-level
-- triggers over transition tables run once per statement, so a grouped append of fifty events
-- updates each summary row once. Rows are taken in conversation order, so two statements that
-- touch several conversations lock them in the same order. last_seq only grows: an append
-- already raised it (that is how it took its seq), an import raises it to its highest seq.
CREATE FUNCTION chatlog_events_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO chat_conversations AS c (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq)
  SELECT conversation_id, MIN(COALESCE(created_at_ms, 0)), MAX(COALESCE(created_at_ms, 0)), COUNT(*), MAX(seq)
  FROM new_rows GROUP BY conversation_id ORDER BY conversation_id
  ON CONFLICT (conversation_id) DO UPDATE SET
    created_at_ms = CASE WHEN c.event_count = 0 THEN excluded.created_at_ms
                         ELSE LEAST(c.created_at_ms, excluded.created_at_ms) END,
    last_activity_ms = CASE WHEN c.event_count = 0 THEN excluded.last_activity_ms
                            ELSE GREATEST(c.last_activity_ms, excluded.last_activity_ms) END,
    event_count = c.event_count + excluded.event_count,
    last_seq = GREATEST(c.last_seq, excluded.last_seq);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER chatlog_events_count_insert AFTER INSERT ON chat_events
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chatlog_events_count_insert();
--> statement-breakpoint
CREATE FUNCTION chatlog_events_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chat_conversations AS c SET event_count = c.event_count - d.n
  FROM (SELECT conversation_id, COUNT(*) AS n FROM old_rows GROUP BY conversation_id ORDER BY conversation_id) AS d
  WHERE c.conversation_id = d.conversation_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER chatlog_events_count_delete AFTER DELETE ON chat_events
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chatlog_events_count_delete();
--> statement-breakpoint
-- A stored part array parsed as JSON, or NULL when it is not JSON (a damaged row must give the
-- conversation list no title rather than fail the whole page). Postgres 15 has no IS JSON.
CREATE FUNCTION chatlog_json_or_null(value text) RETURNS json LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN value::json;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN NULL;
END $$;
