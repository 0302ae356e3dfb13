-- Edited by hand after generation: IF NOT EXISTS everywhere, so that a database the Python
-- system created (same table, same index names) is adopted instead of failing.
CREATE TABLE IF NOT EXISTS `chat_events` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`seq` integer NOT NULL,
	`schema_version` integer NOT NULL,
	`type` text NOT NULL,
	`role` text,
	`content` text,
	`tool_calls` text,
	`provider` text,
	`model` text,
	`stop_reason` text,
	`created_at` text DEFAULT CURRENT_TIMESTAMP,
	`created_at_unix` integer,
	`extra` text,
	`raw` text,
	`request_id` text GENERATED ALWAYS AS (json_extract(extra, '$.request_id')) VIRTUAL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `idx_conversation` ON `chat_events` (`conversation_id`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `idx_conversation_seq` ON `chat_events` (`conversation_id`,`seq`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `idx_created` ON `chat_events` (`created_at`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `idx_created_unix` ON `chat_events` (`created_at_unix`);--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS `idx_request_id` ON `chat_events` (`conversation_id`,`request_id`) WHERE request_id IS NOT NULL;