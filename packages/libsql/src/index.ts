export type { ChatRepository } from "@chatlog/core";
export type { EngineChatRepository } from "@chatlog/engine";
export { LibsqlExecutor } from "./executor.ts";
export { type LibsqlRepositoryOptions, openChatRepository } from "./open-chat-repository.ts";
