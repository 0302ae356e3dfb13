import { ChatlogError } from "@chatlog/core";

/** Whether a driver error means another connection held the lock past the busy timeout. */
export function isBusyError(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: unknown } | null;
  return /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(`${e?.code} ${error} ${e?.cause}`);
}

/** Maps a driver's error (better-sqlite3 SqliteError, LibsqlError) to a ChatlogError. */
export function toChatlogError(error: unknown): ChatlogError {
  if (error instanceof ChatlogError) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  const message = error instanceof Error ? error.message : String(error);
  if (isBusyError(error)) {
    return new ChatlogError("BUSY", `the database stayed locked: ${message}`, { cause: error });
  }
  return new ChatlogError("STORAGE_ERROR", message, { cause: error, details: { driverCode: code } });
}
