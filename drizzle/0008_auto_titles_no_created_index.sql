DROP INDEX `idx_created_ms`;--> statement-breakpoint
ALTER TABLE `chat_conversations` ADD `auto_title` text;--> statement-breakpoint
ALTER TABLE `chat_conversations` ADD `auto_title_seq` integer;