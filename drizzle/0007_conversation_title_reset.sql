-- A conversation whose events are all gone (retention, the full wipe of handleClearSession) loses
-- the title a person gave it, as it loses its other summary values: an id used again starts
-- afresh. deleteConversation removes the whole row, title included.
CREATE TRIGGER IF NOT EXISTS trg_conversation_title_reset
AFTER UPDATE OF event_count ON chat_conversations
WHEN NEW.event_count = 0 AND NEW.title IS NOT NULL
BEGIN
  UPDATE chat_conversations SET title = NULL WHERE conversation_id = NEW.conversation_id;
END;
