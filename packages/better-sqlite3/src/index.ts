export type { ChatRepository } from "@chatlog/core";
export type { SqliteChatRepository } from "@chatlog/sqlite";
export { BetterSqlite3Executor } from "./executor.ts";
export {
  type BetterSqlite3RepositoryOptions,
  migrateWithRetry,
  openChatRepository,
} from "./open-chat-repository.ts";
