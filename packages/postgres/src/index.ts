export type { ChatRepository } from "@chatlog/core";
export type { EngineChatRepository } from "@chatlog/engine";
export { openChatRepository, type PostgresRepositoryOptions } from "./open-chat-repository.ts";
export { postgresDialect } from "./postgres-dialect.ts";
export { PostgresExecutor } from "./postgres-executor.ts";
export { inspectSchema } from "./schema-state.ts";
export { SQL } from "./statements.ts";
