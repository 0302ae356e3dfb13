CREATE TABLE `chatlog_import_staging` (
	`import_id` text NOT NULL,
	`ord` integer NOT NULL,
	`started_at_ms` integer NOT NULL,
	`id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`seq` integer NOT NULL,
	`schema_version` integer NOT NULL,
	`type` text NOT NULL,
	`role` text,
	`content` text,
	`content_format` text,
	`tool_calls` text,
	`usage` text,
	`token_count` integer,
	`provider` text,
	`model` text,
	`stop_reason` text,
	`created_at` text,
	`created_at_unix` integer,
	`created_at_ms` integer,
	`extra` text,
	`raw` text,
	PRIMARY KEY(`import_id`, `ord`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_staging_id` ON `chatlog_import_staging` (`import_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `idx_staging_seq` ON `chatlog_import_staging` (`import_id`,`conversation_id`,`seq`);--> statement-breakpoint
CREATE INDEX `idx_staging_started` ON `chatlog_import_staging` (`started_at_ms`);