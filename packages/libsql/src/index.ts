export type { ChatRepository } from "@chatlog/core";
export type { SqliteChatRepository } from "@chatlog/sqlite";
export { LibsqlExecutor } from "./executor.ts";
export { type LibsqlRepositoryOptions, openChatRepository } from "./open-chat-repository.ts";
