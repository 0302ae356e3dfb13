DROP INDEX `idx_created_ms`;--> statement-breakpoint
ALTER TABLE `chat_conversations` ADD `title` text;--> statement-breakpoint
ALTER TABLE `chat_conversations` ADD `title_seq` integer;