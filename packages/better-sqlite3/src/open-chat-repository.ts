import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ChatlogError, type RepositoryOptions } from "@chatlog/core";
import { migrationsFolder } from "@chatlog/schema";
import { SqliteChatRepository, toChatlogError } from "@chatlog/sqlite";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { BetterSqlite3Executor } from "./executor.ts";

export interface BetterSqlite3RepositoryOptions extends RepositoryOptions {
  /** A file path (its folder is created if missing), a `file:` URL, or ":memory:". */
  path?: string;
  /**
   * An open better-sqlite3 connection to use instead of `path` (the pragmas are still set). The
   * caller keeps ownership: close() leaves it open.
   */
  client?: Database.Database;
  /** How long a write waits for another process's lock before failing with BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
}

const MIGRATION_ATTEMPTS = 5;

function filePath(path: string): string {
  if (typeof path !== "string" || path.length === 0) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "path must be a non-empty string (a file path or :memory:), or pass client",
    );
  }
  return path.startsWith("file:") ? path.slice("file:".length) : path;
}

/** Opens (and by default migrates) a chatlog database on better-sqlite3. */
export async function openChatRepository(
  options: BetterSqlite3RepositoryOptions,
): Promise<SqliteChatRepository> {
  const owned = options.client === undefined;
  const client = options.client ?? openFile(filePath(options.path ?? ""));
  const inMemory = client.memory;
  try {
    client.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    if (!inMemory) client.pragma("journal_mode = WAL");
    client.pragma("synchronous = NORMAL");
    if (options.migrate !== false) await migrateWithRetry(client);
    return new SqliteChatRepository(new BetterSqlite3Executor(client, owned), options);
  } catch (error) {
    if (owned) client.close();
    // The pragmas are the first statements to touch the file: a file that is not a database
    // fails here, and must surface as a ChatlogError like every other storage failure.
    throw toChatlogError(error);
  }
}

function openFile(path: string): Database.Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  try {
    return new Database(path);
  } catch (error) {
    throw new ChatlogError("STORAGE_ERROR", `cannot open ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Brings the schema up to date; safe when several processes open the same new file at once. */
export async function migrateWithRetry(client: Database.Database): Promise<void> {
  const db = drizzle({ client });
  for (let attempt = 1; ; attempt++) {
    try {
      migrate(db, { migrationsFolder });
      return;
    } catch (error) {
      const busy = /SQLITE_BUSY|database is locked/i.test(`${(error as { code?: string }).code} ${error}`);
      if (!busy || attempt >= MIGRATION_ATTEMPTS) {
        throw new ChatlogError("MIGRATION_FAILED", `migration failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      // Another process is migrating; once it commits, the retry finds nothing left to do.
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
