export type { ChatRepository } from "@chatlog/core";
export type { SqliteChatRepository } from "@chatlog/sqlite";
export { type BetterSqlite3RepositoryOptions, openChatRepository } from "./open-chat-repository.ts";
