import { ChatlogError } from "@chatlog/core";

/** Maps a driver's error (better-sqlite3 SqliteError, LibsqlError) to a ChatlogError. */
export function toChatlogError(error: unknown): ChatlogError {
  if (error instanceof ChatlogError) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  const message = error instanceof Error ? error.message : String(error);
  if (
    code.startsWith("SQLITE_BUSY") ||
    code.startsWith("SQLITE_LOCKED") ||
    /database is locked/i.test(message)
  ) {
    return new ChatlogError("BUSY", `the database stayed locked: ${message}`, { cause: error });
  }
  return new ChatlogError("STORAGE_ERROR", message, { cause: error, details: { driverCode: code } });
}
