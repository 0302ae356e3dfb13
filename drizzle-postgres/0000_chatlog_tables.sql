CREATE TABLE "chat_conversations" (
	"conversation_id" text PRIMARY KEY NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"last_activity_ms" bigint NOT NULL,
	"event_count" bigint DEFAULT 0 NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_events" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"schema_version" integer NOT NULL,
	"type" text NOT NULL,
	"role" text,
	"content" text,
	"tool_calls" json,
	"provider" text,
	"model" text,
	"stop_reason" text,
	"created_at" text,
	"created_at_unix" bigint,
	"extra" json,
	"raw" json,
	"content_format" text,
	"usage" json,
	"token_count" integer,
	"created_at_ms" bigint,
	"request_id" text GENERATED ALWAYS AS (extra ->> 'request_id') STORED,
	"user_request_id" text GENERATED ALWAYS AS (extra ->> 'user_request_id') STORED
);
--> statement-breakpoint
CREATE TABLE "chat_saved_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"session_start_ms" bigint,
	"session_end_ms" bigint,
	"message_count" bigint NOT NULL,
	"last_seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_turn_claims" (
	"conversation_id" text NOT NULL,
	"user_request_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"owner_id" text NOT NULL,
	"message_id" text NOT NULL,
	"claimed_at_ms" bigint NOT NULL,
	"heartbeat_ms" bigint NOT NULL,
	"takeovers" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "chat_turn_claims_conversation_id_user_request_id_attempt_pk" PRIMARY KEY("conversation_id","user_request_id","attempt")
);
--> statement-breakpoint
CREATE TABLE "chatlog_import_staging" (
	"import_id" text NOT NULL,
	"ord" integer NOT NULL,
	"started_at_ms" bigint NOT NULL,
	"id" text NOT NULL,
	"conversation_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"schema_version" integer NOT NULL,
	"type" text NOT NULL,
	"role" text,
	"content" text,
	"tool_calls" json,
	"provider" text,
	"model" text,
	"stop_reason" text,
	"created_at" text,
	"created_at_unix" bigint,
	"extra" json,
	"raw" json,
	"content_format" text,
	"usage" json,
	"token_count" integer,
	"created_at_ms" bigint,
	CONSTRAINT "chatlog_import_staging_import_id_ord_pk" PRIMARY KEY("import_id","ord")
);
--> statement-breakpoint
CREATE TABLE "chatlog_state" (
	"key" text PRIMARY KEY NOT NULL,
	"value" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "idx_conversations_activity" ON "chat_conversations" USING btree ("last_activity_ms","conversation_id") WHERE event_count > 0;--> statement-breakpoint
CREATE UNIQUE INDEX "idx_conversation_seq" ON "chat_events" USING btree ("conversation_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_request_id" ON "chat_events" USING btree ("conversation_id","request_id") WHERE request_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_turn_events" ON "chat_events" USING btree ("conversation_id","user_request_id","type","seq") WHERE user_request_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_created_ms" ON "chat_events" USING btree ("created_at_ms");--> statement-breakpoint
CREATE INDEX "idx_saved_conversation" ON "chat_saved_sessions" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "idx_saved_created" ON "chat_saved_sessions" USING btree ("created_at_ms");--> statement-breakpoint
CREATE INDEX "idx_turn_claims_heartbeat" ON "chat_turn_claims" USING btree ("heartbeat_ms");--> statement-breakpoint
CREATE INDEX "idx_turn_claims_owner" ON "chat_turn_claims" USING btree ("owner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_staging_id" ON "chatlog_import_staging" USING btree ("import_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "idx_staging_seq" ON "chatlog_import_staging" USING btree ("import_id","conversation_id","seq");--> statement-breakpoint
CREATE INDEX "idx_staging_started" ON "chatlog_import_staging" USING btree ("started_at_ms");