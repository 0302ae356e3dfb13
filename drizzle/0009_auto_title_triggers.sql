-- Conversation titles kept in chat_conversations (auto_title, auto_title_seq: drizzle/0008), so a
-- page of the conversation list reads no events (a title a person set, chat_conversations.title,
-- still wins in the list). The title is the start of the first user message's
-- text: a string as stored; of a part array, its text parts joined by spaces (never a file's
-- data: URL); nothing from invalid JSON. That rule is the view below, written once; the
-- triggers and the backfill read it. titleOf in the repository trims it for display.
CREATE VIEW IF NOT EXISTS `chatlog_user_message_titles` AS
SELECT e.conversation_id, e.seq, CASE
    WHEN e.content_format = 'text' THEN substr(e.content, 1, 400)
    WHEN json_valid(e.content) AND json_type(e.content) = 'array' THEN
      (SELECT substr(group_concat(json_extract(p.value, '$.text'), ' '), 1, 400) FROM json_each(e.content) p
       WHERE json_type(p.value) = 'object' AND json_extract(p.value, '$.type') = 'text'
         AND json_type(p.value, '$.text') = 'text')
    WHEN e.content_format IS NULL AND typeof(e.content) = 'text' THEN substr(e.content, 1, 400)
  END AS title
FROM `chat_events` e WHERE e.type = 'user_message';
--> statement-breakpoint
-- Every insert already upserts its conversation's summary (0003); the title rides in the same
-- upsert rather than in a second trigger, whose firing order relative to that one SQLite leaves
-- unspecified. A user message becomes the title when the conversation has none or it comes
-- earlier (an import can bring one).
DROP TRIGGER IF EXISTS `chatlog_events_count_insert`;
--> statement-breakpoint
CREATE TRIGGER `chatlog_events_count_insert`
AFTER INSERT ON `chat_events`
BEGIN
  INSERT INTO `chat_conversations` (conversation_id, created_at_ms, last_activity_ms, event_count, last_seq, auto_title, auto_title_seq)
  VALUES (NEW.conversation_id, COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0), COALESCE(NEW.created_at_ms, CAST(round((julianday(NEW.created_at) - 2440587.5) * 86400000.0) AS INTEGER), NEW.created_at_unix * 1000, 0), 1, NEW.seq,
    -- Read only when this message can be the title: most user messages follow a titled one.
    CASE WHEN NEW.type = 'user_message' AND NOT EXISTS (SELECT 1 FROM `chat_conversations` c
        WHERE c.conversation_id = NEW.conversation_id AND c.auto_title_seq <= NEW.seq)
      THEN (SELECT t.title FROM `chatlog_user_message_titles` t
            WHERE t.conversation_id = NEW.conversation_id AND t.seq = NEW.seq) END,
    CASE WHEN NEW.type = 'user_message' THEN NEW.seq END)
  ON CONFLICT (conversation_id) DO UPDATE SET
    created_at_ms = CASE WHEN event_count = 0 THEN excluded.created_at_ms
                         ELSE min(created_at_ms, excluded.created_at_ms) END,
    last_activity_ms = CASE WHEN event_count = 0 THEN excluded.last_activity_ms
                            ELSE max(last_activity_ms, excluded.last_activity_ms) END,
    event_count = event_count + 1,
    last_seq = max(last_seq, excluded.last_seq),
    auto_title = CASE WHEN excluded.auto_title_seq IS NOT NULL
                        AND (auto_title_seq IS NULL OR excluded.auto_title_seq < auto_title_seq)
                      THEN excluded.auto_title ELSE auto_title END,
    auto_title_seq = CASE WHEN excluded.auto_title_seq IS NOT NULL
                            AND (auto_title_seq IS NULL OR excluded.auto_title_seq < auto_title_seq)
                          THEN excluded.auto_title_seq ELSE auto_title_seq END;
END;
--> statement-breakpoint
-- The titled message deleted (retention cutting the oldest turns, the full wipe): the next user
-- message left becomes the title, or none.
CREATE TRIGGER IF NOT EXISTS `chatlog_events_title_delete`
AFTER DELETE ON `chat_events`
WHEN OLD.type = 'user_message'
BEGIN
  UPDATE `chat_conversations` SET
    auto_title = (SELECT t.title FROM `chatlog_user_message_titles` t WHERE t.conversation_id = chat_conversations.conversation_id ORDER BY t.seq LIMIT 1),
    auto_title_seq = (SELECT t.seq FROM `chatlog_user_message_titles` t WHERE t.conversation_id = chat_conversations.conversation_id ORDER BY t.seq LIMIT 1)
  WHERE conversation_id = OLD.conversation_id AND auto_title_seq = OLD.seq;
END;
--> statement-breakpoint
-- chatlog never rewrites an event, but another program may: what the title is made of changed,
-- so it is taken again from the events.
CREATE TRIGGER IF NOT EXISTS `chatlog_events_title_update`
AFTER UPDATE OF conversation_id, seq, type, content, content_format ON `chat_events`
BEGIN
  UPDATE `chat_conversations` SET
    auto_title = (SELECT t.title FROM `chatlog_user_message_titles` t WHERE t.conversation_id = chat_conversations.conversation_id ORDER BY t.seq LIMIT 1),
    auto_title_seq = (SELECT t.seq FROM `chatlog_user_message_titles` t WHERE t.conversation_id = chat_conversations.conversation_id ORDER BY t.seq LIMIT 1)
  WHERE conversation_id IN (OLD.conversation_id, NEW.conversation_id);
END;
--> statement-breakpoint
UPDATE `chat_conversations` SET
    auto_title = (SELECT t.title FROM `chatlog_user_message_titles` t WHERE t.conversation_id = chat_conversations.conversation_id ORDER BY t.seq LIMIT 1),
    auto_title_seq = (SELECT t.seq FROM `chatlog_user_message_titles` t WHERE t.conversation_id = chat_conversations.conversation_id ORDER BY t.seq LIMIT 1);
