import { isAbsolute, resolve } from "node:path";
import { ChatlogError } from "@chatlog/core";
import { defaultDatabaseFile, invocationDir } from "./default-location.ts";

export const DRIVER_NAMES = ["better-sqlite3", "libsql", "postgres"] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

const REMOTE = /^(libsql|https?|wss?):\/\//i;
const POSTGRES = /^postgres(ql)?:\/\//i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]+:\/\//i;

/** A remote libSQL / Turso URL. */
export function isRemoteDatabaseUrl(url: string): boolean {
  return REMOTE.test(url);
}

/** A Postgres connection URL (postgres:// or postgresql://). */
export function isPostgresUrl(url: string): boolean {
  return POSTGRES.test(url);
}

/** The URL without its password (user info is kept, a password never), for messages and logs. */
export function printableDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "";
    return parsed.toString();
  } catch {
    // Not a URL the WHATWG parser takes: drop all user info.
    return url.replace(/\/\/[^@/]*@/, "//");
  }
}

/** Where the database is and which driver opens it. */
export interface DatabaseTarget {
  driver: DriverName;
  /** `file:<absolute path>`, `:memory:`, the remote URL, or the Postgres URL. */
  url: string;
  /** The local file, when there is one. */
  file: string | null;
  authToken?: string;
}

export interface DatabaseSettings {
  /** DATABASE_URL (or a --db option): a file path, a file: URL, :memory:, a remote libSQL URL or a Postgres URL. */
  url?: string | undefined;
  /** CHATLOG_DRIVER: forces a driver for a local database. */
  driver?: string | undefined;
  /** DATABASE_AUTH_TOKEN, for remote databases. */
  authToken?: string | undefined;
  /** What relative paths are relative to (default: the directory the command was run in). */
  baseDir?: string | undefined;
  /** Where CHATLOG_DATA_DIR (and the pnpm script variables) are read from (default process.env). */
  env?: Record<string, string | undefined> | undefined;
}

/**
 * The one place the apps' database settings are interpreted: postgres:// and postgresql:// URLs
 * go to @chatlog/postgres; remote URLs to libSQL; local files to better-sqlite3 unless
 * CHATLOG_DRIVER=libsql; anything else (or a driver forced onto a URL it cannot open) is an
 * INVALID_ARGUMENT.
 * No URL means the default file, `chatlog.db` in the data directory (default-location.ts).
 */
export function resolveDatabaseTarget(settings: DatabaseSettings): DatabaseTarget {
  const env = settings.env ?? process.env;
  const baseDir = settings.baseDir ?? invocationDir(env);
  const url = settings.url || `file:${defaultDatabaseFile(env, baseDir)}`;
  const forced = settings.driver || undefined;
  if (forced !== undefined && !(DRIVER_NAMES as readonly string[]).includes(forced)) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      `CHATLOG_DRIVER must be one of ${DRIVER_NAMES.join(", ")}, got ${JSON.stringify(forced)}`,
      { details: { field: "CHATLOG_DRIVER" } },
    );
  }
  const authToken = settings.authToken ? { authToken: settings.authToken } : {};

  if (isPostgresUrl(url)) {
    if (forced !== undefined && forced !== "postgres") {
      throw new ChatlogError(
        "INVALID_ARGUMENT",
        `${printableDatabaseUrl(url)} is a Postgres URL; ${forced} opens SQLite only`,
        {
          details: { field: "CHATLOG_DRIVER" },
        },
      );
    }
    return { driver: "postgres", url, file: null };
  }
  if (forced === "postgres") {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "CHATLOG_DRIVER=postgres needs a postgres:// or postgresql:// DATABASE_URL",
      {
        details: { field: "CHATLOG_DRIVER" },
      },
    );
  }
  if (isRemoteDatabaseUrl(url)) {
    if (forced === "better-sqlite3") {
      throw new ChatlogError(
        "INVALID_ARGUMENT",
        `${url} is a remote URL; better-sqlite3 opens local files only`,
        {
          details: { field: "CHATLOG_DRIVER" },
        },
      );
    }
    return { driver: "libsql", url, file: null, ...authToken };
  }
  if (ANY_SCHEME.test(url) && !url.startsWith("file:")) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      `DATABASE_URL must be a file path, a file: URL, :memory:, a libsql://, http(s)://, ws(s):// URL or a postgres(ql):// URL, got ${JSON.stringify(printableDatabaseUrl(url))}`,
      { details: { field: "DATABASE_URL" } },
    );
  }

  const driver = forced === "libsql" ? "libsql" : "better-sqlite3";
  // file:path, file://path and a bare path all name a file; a query string means nothing here.
  const path =
    (url.startsWith("file://") ? url.slice("file://".length) : url.replace(/^file:/, "")).split("?")[0] ?? "";
  if (path === ":memory:") return { driver, url: ":memory:", file: null };
  if (path.length === 0) {
    throw new ChatlogError("INVALID_ARGUMENT", "the database path is empty", {
      details: { field: "DATABASE_URL" },
    });
  }
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  return { driver, url: `file:${file}`, file };
}
