CREATE TABLE `chat_turn_claims` (
	`conversation_id` text NOT NULL,
	`user_request_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`owner_id` text NOT NULL,
	`message_id` text NOT NULL,
	`claimed_at_ms` integer NOT NULL,
	`heartbeat_ms` integer NOT NULL,
	`takeovers` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`conversation_id`, `user_request_id`, `attempt`)
);
--> statement-breakpoint
CREATE INDEX `idx_turn_claims_heartbeat` ON `chat_turn_claims` (`heartbeat_ms`);--> statement-breakpoint
CREATE INDEX `idx_turn_claims_owner` ON `chat_turn_claims` (`owner_id`);