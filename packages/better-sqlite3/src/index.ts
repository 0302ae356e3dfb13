export type { ChatRepository } from "@chatlog/core";
export type { EngineChatRepository } from "@chatlog/engine";
export { type BetterSqlite3RepositoryOptions, openChatRepository } from "./open-chat-repository.ts";
export { inspectSchema } from "./schema-state.ts";
