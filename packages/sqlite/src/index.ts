export { BackgroundCheckpointer } from "./background-checkpoint.ts";
export { connectionPragmas } from "./connection-pragmas.ts";
export { APPLIED_MIGRATIONS_SQL, migrateWithRetry, retryWhileBusy } from "./migrate-retry.ts";
export { sqliteDialect } from "./sqlite-dialect.ts";
export { SQL } from "./statements.ts";
export { ensureDatabaseFolder, toChatlogError } from "./storage-error.ts";
export { type SyncDatabase, SyncExecutor, type SyncStatement } from "./sync-executor.ts";
