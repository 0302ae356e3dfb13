export * from "./errors.ts";
export * from "./events.ts";
export * from "./json.ts";
export * from "./llm-conversation.ts";
export * from "./repository.ts";
export * from "./request-keys.ts";
export * from "./uuid.ts";
export * from "./validate.ts";
