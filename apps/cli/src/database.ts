import { existsSync } from "node:fs";
import { openChatRepository as openBetterSqlite3 } from "@chatlog/better-sqlite3";
import { ChatlogError, type ChatRepository, type RepositoryOptions } from "@chatlog/core";
import { openChatRepository as openLibsql } from "@chatlog/libsql";
import { type CliContext, resolvePath } from "./context.ts";

export const DEFAULT_DATABASE_URL = "file:./data/chatlog.db";
const DRIVERS = ["better-sqlite3", "libsql"] as const;
type Driver = (typeof DRIVERS)[number];
const REMOTE = /^(libsql|https?|wss?):\/\//i;

export interface DatabaseTarget {
  driver: Driver;
  /** For better-sqlite3 a path (or :memory:); for libsql a URL. */
  location: string;
  /** The local file, when there is one (to check it exists, and to show). */
  file: string | null;
  authToken?: string;
}

function forcedDriver(env: NodeJS.ProcessEnv): Driver | null {
  const value = env.CHATLOG_DRIVER;
  if (value === undefined || value === "") return null;
  if ((DRIVERS as readonly string[]).includes(value)) return value as Driver;
  throw new ChatlogError(
    "INVALID_ARGUMENT",
    `CHATLOG_DRIVER must be one of ${DRIVERS.join(", ")}, got '${value}'`,
  );
}

/**
 * Picks the driver the way the server does: remote URLs need libSQL; local files use
 * better-sqlite3 unless CHATLOG_DRIVER=libsql. Relative paths are made absolute here, against the
 * directory the user ran the command in.
 */
export function resolveDatabase(context: CliContext, dbOption: string | undefined): DatabaseTarget {
  const spec = dbOption ?? (context.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  const forced = forcedDriver(context.env);
  const authToken = context.env.DATABASE_AUTH_TOKEN;

  if (REMOTE.test(spec)) {
    if (forced === "better-sqlite3") {
      throw new ChatlogError(
        "INVALID_ARGUMENT",
        `${spec} is a remote URL; better-sqlite3 opens local files only`,
      );
    }
    return { driver: "libsql", location: spec, file: null, ...(authToken ? { authToken } : {}) };
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(spec) && !spec.startsWith("file:")) {
    throw new ChatlogError("INVALID_ARGUMENT", `unsupported database URL ${spec}`);
  }

  const driver = forced ?? "better-sqlite3";
  const bare = spec.startsWith("file://") ? spec.slice("file://".length) : spec.replace(/^file:/, "");
  if (bare === ":memory:") return { driver, location: driver === "libsql" ? ":memory:" : bare, file: null };
  if (bare.length === 0) throw new ChatlogError("INVALID_ARGUMENT", "the database path is empty");
  const file = resolvePath(context, bare);
  return { driver, location: driver === "libsql" ? `file:${file}` : file, file };
}

export interface OpenOptions {
  /** Refuse to create a database that is not there (every command but migrate and import). */
  mustExist: boolean;
  repository?: RepositoryOptions;
}

export async function openDatabase(
  context: CliContext,
  dbOption: string | undefined,
  options: OpenOptions,
): Promise<ChatRepository> {
  const target = resolveDatabase(context, dbOption);
  if (options.mustExist && target.file !== null && !existsSync(target.file)) {
    throw new ChatlogError(
      "NOT_FOUND",
      `no database at ${target.file} (create one with: chatlog migrate --db <path>)`,
      {
        details: { path: target.file },
      },
    );
  }
  const repository: RepositoryOptions = {
    onCorruptRow: (error) => context.stderr.write(`chatlog: warning: ${error.message}\n`),
    ...options.repository,
  };
  if (target.driver === "libsql") {
    return openLibsql({
      url: target.location,
      ...(target.authToken === undefined ? {} : { authToken: target.authToken }),
      ...repository,
    });
  }
  return openBetterSqlite3({ path: target.location, ...repository });
}

/** Opens, runs `work`, and always closes, so a failed command never leaves a connection open. */
export async function withDatabase<T>(
  context: CliContext,
  dbOption: string | undefined,
  options: OpenOptions,
  work: (repo: ChatRepository) => Promise<T>,
): Promise<T> {
  const repo = await openDatabase(context, dbOption, options);
  try {
    return await work(repo);
  } finally {
    await repo.close();
  }
}
