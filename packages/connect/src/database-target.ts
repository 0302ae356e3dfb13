import { isAbsolute, resolve } from "node:path";
import { ChatlogError } from "@chatlog/core";
import { defaultDatabaseFile, invocationDir } from "./default-location.ts";

export const DRIVER_NAMES = ["better-sqlite3", "libsql"] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

const REMOTE = /^(libsql|https?|wss?):\/\//i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]+:\/\//i;

export function isRemoteDatabaseUrl(url: string): boolean {
  return REMOTE.test(url);
}

/** Where the database is and which driver opens it. */
export interface DatabaseTarget {
  driver: DriverName;
  /** `file:<absolute path>`, `:memory:`, or the remote URL. */
  url: string;
  /** The local file, when there is one. */
  file: string | null;
  authToken?: string;
}

export interface DatabaseSettings {
  /** DATABASE_URL (or a --db option): a file path, a file: URL, :memory:, or a remote libSQL URL. */
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
 * The one place the apps' database settings are interpreted: remote URLs go to libSQL; local
 * files to better-sqlite3 unless CHATLOG_DRIVER=libsql; anything else is an INVALID_ARGUMENT.
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
      `DATABASE_URL must be a file path, a file: URL, :memory:, or a libsql://, http(s)://, ws(s):// URL, got ${JSON.stringify(url)}`,
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
