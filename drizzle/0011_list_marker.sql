DROP INDEX `idx_conversations_activity`;--> statement-breakpoint
DROP INDEX `idx_conversations_owner`;--> statement-breakpoint
ALTER TABLE `chat_conversations` ADD `listed` integer;--> statement-breakpoint
CREATE INDEX `idx_conversations_activity` ON `chat_conversations` (`last_activity_ms`,`conversation_id`) WHERE listed = 1;--> statement-breakpoint
CREATE INDEX `idx_conversations_owner` ON `chat_conversations` (`owner_id`,`last_activity_ms`,`conversation_id`) WHERE owner_id IS NOT NULL AND listed = 1;