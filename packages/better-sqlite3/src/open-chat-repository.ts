import { createRequire } from "node:module";
import { ChatlogError, type RepositoryOptions } from "@chatlog/core";
import { assertKnownOptions, EngineChatRepository } from "@chatlog/engine";
import { migrationsFolder } from "@chatlog/schema";
import {
  APPLIED_MIGRATIONS_SQL,
  BackgroundCheckpointer,
  connectionPragmas,
  ensureDatabaseFolder,
  migrateWithRetry,
  retryWhileBusy,
  SyncExecutor,
  sqliteDialect,
  toChatlogError,
} from "@chatlog/sqlite";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";

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

/** better-sqlite3's entry point, which the checkpoint worker loads for its own connection. */
const NATIVE_MODULE = createRequire(import.meta.url).resolve("better-sqlite3");

function filePath(path: string): string {
  if (typeof path !== "string" || path.length === 0) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "path must be a non-empty string (a file path or :memory:), or pass client",
    );
  }
  return path.startsWith("file:") ? path.slice("file:".length) : path;
}

function openFile(path: string): Database.Database {
  if (path !== ":memory:") ensureDatabaseFolder(path);
  try {
    return new Database(path);
  } catch (error) {
    const typed = toChatlogError(error, path);
    throw new ChatlogError(typed.code, `cannot open: ${typed.message}`, {
      cause: error,
      details: typed.details,
    });
  }
}

/** Opens (and by default migrates) a chatlog database on better-sqlite3. */
export async function openChatRepository(
  options: BetterSqlite3RepositoryOptions,
): Promise<EngineChatRepository> {
  assertKnownOptions(options, ["path", "client", "busyTimeoutMs"]);
  const owned = options.client === undefined;
  const file = options.client === undefined ? filePath(options.path ?? "") : options.client.name;
  const client = options.client ?? openFile(file);
  try {
    for (const pragma of connectionPragmas({
      busyTimeoutMs: options.busyTimeoutMs,
      inMemory: client.memory,
    })) {
      await retryWhileBusy(() => client.exec(pragma), options.busyTimeoutMs);
    }
    if (options.migrate !== false) {
      const db = drizzle({ client });
      await migrateWithRetry(
        () => migrate(db, { migrationsFolder }),
        () => Number((client.prepare(APPLIED_MIGRATIONS_SQL).get() as { applied: number }).applied),
      );
    }
    // A file database checkpoints its WAL from a worker thread (see BackgroundCheckpointer).
    const checkpointer = client.memory ? undefined : new BackgroundCheckpointer(client.name, NATIVE_MODULE);
    return new EngineChatRepository(
      sqliteDialect,
      new SyncExecutor(client, owned, file, checkpointer),
      options,
    );
  } catch (error) {
    if (owned) client.close();
    // A file that is not a database fails at the first pragma; it surfaces as a ChatlogError
    // naming the file, like every other storage failure.
    throw toChatlogError(error, file);
  }
}
