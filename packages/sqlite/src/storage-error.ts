import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ChatlogError } from "@chatlog/core";

/** Whether a driver error means another connection held the lock past the busy timeout. */
export function isBusyError(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: unknown } | null;
  return /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(`${e?.code} ${error} ${e?.cause}`);
}

/** What the common SQLite result codes mean, said so that a person knows what to fix. */
const CAUSES: Record<string, string> = {
  SQLITE_FULL: "the disk (or the database's size limit) is full",
  SQLITE_READONLY: "the database is read-only (file permissions, or a read-only file system)",
  SQLITE_NOTADB: "the file is not a SQLite database",
  SQLITE_CORRUPT: "the database file is corrupt",
  SQLITE_CANTOPEN: "the database file cannot be opened",
  SQLITE_IOERR: "the operating system reported an I/O error",
  SQLITE_PERM: "permission denied",
};

function causeOf(code: string): string | undefined {
  return CAUSES[code] ?? CAUSES[code.replace(/_[A-Z0-9]+$/, "")];
}

/**
 * Maps a driver's error (better-sqlite3 SqliteError, LibsqlError) to a ChatlogError with a
 * one-line message: the cause in words where the SQLite code has a known meaning, the driver's
 * own first line, and the database (`location`, a file path) it happened to.
 */
export function toChatlogError(error: unknown, location?: string): ChatlogError {
  if (error instanceof ChatlogError) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  const text = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
  const where = location === undefined ? "" : ` (database ${location})`;
  const details = { driverCode: code, ...(location === undefined ? {} : { path: location }) };
  if (isBusyError(error)) {
    return new ChatlogError("BUSY", `the database stayed locked: ${text}${where}`, { cause: error, details });
  }
  const cause = causeOf(code);
  const message = cause === undefined || text.includes(cause) ? text : `${cause}: ${text}`;
  return new ChatlogError("STORAGE_ERROR", `${message}${where}`, { cause: error, details });
}

/**
 * Creates the folder a database file goes in. A file where a folder should be (EEXIST,
 * ENOTDIR) or a folder chatlog may not write (EACCES, EROFS) is a one-line STORAGE_ERROR naming
 * the folder and the cause.
 */
export function ensureDatabaseFolder(file: string): void {
  const folder = dirname(file);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const code = String((error as NodeJS.ErrnoException).code ?? "");
    const why: Record<string, string> = {
      EEXIST: "a file of that name is in the way",
      ENOTDIR: "part of the path is a file, not a folder",
      EACCES: "permission denied",
      EPERM: "operation not permitted",
      EROFS: "the file system is read-only",
      ENOSPC: "the disk is full",
    };
    throw new ChatlogError(
      "STORAGE_ERROR",
      `cannot create the database folder ${folder} for ${file}: ${why[code] ?? (error as Error).message} (${code})`,
      { cause: error, details: { path: file, folder, errno: code } },
    );
  }
}
