import { ChatlogError, isChatlogError, type RepositoryOptions } from "@chatlog/core";
import { assertKnownOptions, EngineChatRepository } from "@chatlog/engine";
import { migrationsFolder } from "@chatlog/schema";
import {
  APPLIED_MIGRATIONS_SQL,
  connectionPragmas,
  ensureDatabaseFolder,
  migrateWithRetry,
  retryWhileBusy,
  SyncExecutor,
  sqliteDialect,
  toChatlogError,
} from "@chatlog/sqlite";
import { type Client, createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import Database from "libsql";
import { LibsqlExecutor } from "./executor.ts";
import { authError, displayUrl, unavailableError } from "./remote-errors.ts";

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
  /**
   * Remote URLs only: how long one HTTP request may take before it fails with UNAVAILABLE
   * (default 30000 ms). A timed-out write may still have committed; retry it with the same
   * request id (idempotent) to find out.
   */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

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

/**
 * Opens (and by default migrates) a chatlog database on libSQL: a local file through libSQL's
 * native binding, anything else (remote URLs, :memory:, a client you pass) through
 * @libsql/client.
 */
export async function openChatRepository(options: LibsqlRepositoryOptions): Promise<EngineChatRepository> {
  assertKnownOptions(options, ["url", "client", "authToken", "busyTimeoutMs", "requestTimeoutMs"]);
  const { url } = options;
  if (typeof url !== "string" || url.length === 0) {
    throw new ChatlogError("INVALID_ARGUMENT", "url must be a non-empty string");
  }
  const path = localPath(url);
  if (path !== null && path !== ":memory:" && options.client === undefined)
    return openLocalFile(path, options);

  // One connection: the local client is synchronous underneath, and a pool would both miss the
  // pragmas on its other connections and make concurrent transactions block each other.
  const owned = options.client === undefined;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) {
    throw new ChatlogError("INVALID_ARGUMENT", "requestTimeoutMs must be a positive integer (milliseconds)");
  }
  const remote = path === null ? { url, requestTimeoutMs } : undefined;
  let client: Client;
  try {
    client =
      options.client ??
      createClient({
        url,
        ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
        ...(remote === undefined ? {} : { fetch: timedFetch(requestTimeoutMs) }),
        concurrency: 1,
      });
  } catch (error) {
    // A malformed URL (bad scheme, ?tls=1 on http:) is the caller's mistake.
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      `invalid libSQL url ${displayUrl(url)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    if (path !== null) await setLocalPragmas(client, path, options);
    if (options.migrate !== false) await migrateClient(client);
    return new EngineChatRepository(sqliteDialect, new LibsqlExecutor(client, owned, remote), options);
  } catch (error) {
    if (owned) client.close();
    if (remote !== undefined) {
      // Unreachable at open is UNAVAILABLE, not a MIGRATION_FAILED hiding "connection refused"
      // under the text of the first CREATE TABLE.
      const root = isChatlogError(error, "MIGRATION_FAILED") ? error.cause : error;
      throw unavailableError(url, root, requestTimeoutMs) ?? authError(url, root) ?? toChatlogError(error);
    }
    throw toChatlogError(error);
  }
}

/** fetch with a deadline per request, so a server that never answers fails the call. */
function timedFetch(timeoutMs: number): (request: Request) => Promise<Response> {
  return (request) => fetch(request, { signal: AbortSignal.timeout(timeoutMs) });
}

/** drizzle's libSQL migrator through the race-safe retry (see migrateWithRetry). */
function migrateClient(client: Client): Promise<void> {
  return migrateWithRetry(
    () => migrate(drizzle({ client }), { migrationsFolder }),
    async () => Number((await client.execute(APPLIED_MIGRATIONS_SQL)).rows[0]?.applied ?? 0),
  );
}

function pragmaStatements(path: string, options: LibsqlRepositoryOptions): string[] {
  return connectionPragmas({ busyTimeoutMs: options.busyTimeoutMs, inMemory: path === ":memory:" });
}

async function setLocalPragmas(
  client: Client,
  path: string,
  options: LibsqlRepositoryOptions,
): Promise<void> {
  for (const pragma of pragmaStatements(path, options)) {
    await retryWhileBusy(() => client.execute(pragma), options.busyTimeoutMs);
  }
}

/**
 * A local file: migrations run through drizzle's libSQL migrator on a short-lived client, and the
 * repository works on libSQL's native binding, which keeps its prepared statements
 * (@libsql/client prepares each statement again on every call, the larger part of a local
 * append's cost).
 */
async function openLocalFile(path: string, options: LibsqlRepositoryOptions): Promise<EngineChatRepository> {
  ensureDatabaseFolder(path);
  if (options.migrate !== false) {
    const client = createClient({ url: `file:${path}`, concurrency: 1 });
    try {
      await setLocalPragmas(client, path, options);
      await migrateClient(client);
    } catch (error) {
      throw toChatlogError(error, path);
    } finally {
      client.close();
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    const typed = toChatlogError(error, path);
    throw new ChatlogError(typed.code, `cannot open: ${typed.message}`, {
      cause: error,
      details: typed.details,
    });
  }
  try {
    for (const pragma of pragmaStatements(path, options)) {
      await retryWhileBusy(() => db.exec(pragma), options.busyTimeoutMs);
    }
    return new EngineChatRepository(sqliteDialect, new SyncExecutor(db, true, path), options);
  } catch (error) {
    db.close();
    throw toChatlogError(error, path);
  }
}
