CREATE TABLE `chat_conversations` (
	`conversation_id` text PRIMARY KEY NOT NULL,
	`created_at_ms` integer NOT NULL,
	`last_activity_ms` integer NOT NULL,
	`event_count` integer DEFAULT 0 NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_conversations_activity` ON `chat_conversations` (`last_activity_ms`,`conversation_id`) WHERE event_count > 0;--> statement-breakpoint
CREATE TABLE `chat_saved_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`session_start_ms` integer,
	`session_end_ms` integer,
	`message_count` integer NOT NULL,
	`last_seq` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_saved_conversation` ON `chat_saved_sessions` (`conversation_id`);--> statement-breakpoint
CREATE INDEX `idx_saved_created` ON `chat_saved_sessions` (`created_at_ms`);--> statement-breakpoint
CREATE TABLE `chatlog_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `idx_conversation`;--> statement-breakpoint
DROP INDEX `idx_created`;--> statement-breakpoint
DROP INDEX `idx_created_unix`;--> statement-breakpoint
DROP INDEX `idx_conversation_seq`;--> statement-breakpoint
ALTER TABLE `chat_events` ADD `user_request_id` text GENERATED ALWAYS AS (json_extract(extra, '$.user_request_id')) VIRTUAL;--> statement-breakpoint
ALTER TABLE `chat_events` ADD `content_format` text;--> statement-breakpoint
ALTER TABLE `chat_events` ADD `usage` text;--> statement-breakpoint
ALTER TABLE `chat_events` ADD `token_count` integer;--> statement-breakpoint
ALTER TABLE `chat_events` ADD `created_at_ms` integer;--> statement-breakpoint
CREATE INDEX `idx_turn_events` ON `chat_events` (`conversation_id`,`user_request_id`,`type`,`seq`) WHERE user_request_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `idx_created_ms` ON `chat_events` (`created_at_ms`);--> statement-breakpoint
CREATE UNIQUE INDEX `idx_conversation_seq` ON `chat_events` (`conversation_id`,`seq`);