import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ChatlogError, type RepositoryOptions } from "@chatlog/core";
import { migrationsFolder } from "@chatlog/schema";
import { SqliteChatRepository, toChatlogError } from "@chatlog/sqlite";
import { type Client, createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { LibsqlExecutor } from "./executor.ts";

export interface LibsqlRepositoryOptions extends RepositoryOptions {
  /** `file:chat.db`, `:memory:`, or a remote `libsql://`, `http(s)://`, `ws(s)://` URL. */
  url: string;
  /**
   * An existing client to use instead of creating one from `url` (create it with concurrency: 1
   * for a local file). `url` still tells whether it is local. The caller keeps ownership.
   */
  client?: Client;
  /** Token for a remote database (Turso). */
  authToken?: string;
  /** Local files only: how long a write waits for another process's lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

const MIGRATION_ATTEMPTS = 5;
const REMOTE = /^(libsql|https?|wss?):\/\//i;

function localPath(url: string): string | null {
  if (REMOTE.test(url)) return null;
  // In-memory databases are local too: they get the pragmas (all but WAL, which they cannot use).
  if (url === ":memory:") return url;
  if (!url.startsWith("file:")) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      `unsupported libSQL url: ${url} (use file:, :memory:, libsql://, http(s)://, ws(s)://)`,
    );
  }
  return url.slice("file:".length).split("?")[0] ?? "";
}

/** Opens (and by default migrates) a chatlog database through @libsql/client. */
export async function openChatRepository(options: LibsqlRepositoryOptions): Promise<SqliteChatRepository> {
  const { url } = options;
  if (typeof url !== "string" || url.length === 0) {
    throw new ChatlogError("INVALID_ARGUMENT", "url must be a non-empty string");
  }
  const path = localPath(url);
  if (path && path !== ":memory:") mkdirSync(dirname(path), { recursive: true });

  // One connection: the local client is synchronous underneath, and a pool would both miss the
  // pragmas on its other connections and make concurrent transactions block each other.
  const owned = options.client === undefined;
  const client =
    options.client ??
    createClient({
      url,
      ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
      concurrency: 1,
    });
  try {
    if (path !== null) {
      await client.execute(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      if (path !== ":memory:") await client.execute("PRAGMA journal_mode = WAL");
      await client.execute("PRAGMA synchronous = NORMAL");
    }
    if (options.migrate !== false) await migrateWithRetry(client);
    return new SqliteChatRepository(new LibsqlExecutor(client, owned), options);
  } catch (error) {
    if (owned) client.close();
    // The pragmas are the first statements to touch the file: a file that is not a database
    // fails here, and must surface as a ChatlogError like every other storage failure.
    throw toChatlogError(error);
  }
}

export async function migrateWithRetry(client: Client): Promise<void> {
  const db = drizzle({ client });
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(db, { migrationsFolder });
      return;
    } catch (error) {
      const text = `${(error as { code?: string }).code} ${error} ${(error as { cause?: unknown }).cause}`;
      const busy = /SQLITE_BUSY|database is locked/i.test(text);
      if (!busy || attempt >= MIGRATION_ATTEMPTS) {
        throw new ChatlogError("MIGRATION_FAILED", `migration failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
