export type { ChatRepository } from "@chatlog/core";
export type { SqliteChatRepository } from "@chatlog/sqlite";
export { LibsqlExecutor } from "./executor.ts";
export {
  type LibsqlRepositoryOptions,
  migrateWithRetry,
  openChatRepository,
} from "./open-chat-repository.ts";
