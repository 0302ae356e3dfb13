-- A conversation whose events are all gone (retention, the full wipe of handleClearSession) loses
-- the title a person gave it, as it loses its other summary values: an id used again starts
-- afresh. deleteConversation removes the whole row, title included.
CREATE FUNCTION chatlog_conversation_title_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.title := NULL;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER chatlog_conversation_title_reset BEFORE UPDATE OF event_count ON chat_conversations
FOR EACH ROW WHEN (NEW.event_count = 0 AND NEW.title IS NOT NULL)
EXECUTE FUNCTION chatlog_conversation_title_reset();
