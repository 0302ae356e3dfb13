export { connectionPragmas } from "./connection-pragmas.ts";
export type {
  Job,
  JobOutcome,
  Row,
  SqlArgs,
  SqlExecutor,
  SqlValue,
  Statement,
  Step,
} from "./executor.ts";
export { APPLIED_MIGRATIONS_SQL, migrateWithRetry, retryWhileBusy } from "./migrate-retry.ts";
export { assertKnownOptions } from "./options.ts";
export { decodeRow, encodeEvent } from "./row-codec.ts";
export { type DatabasePragmas, SqliteChatRepository } from "./sqlite-chat-repository.ts";
export { SQL } from "./statements.ts";
export { ensureDatabaseFolder, toChatlogError } from "./storage-error.ts";
export { type SyncDatabase, SyncExecutor, type SyncStatement } from "./sync-executor.ts";
