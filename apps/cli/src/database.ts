import { existsSync } from "node:fs";
import { type DatabaseTarget, openDatabase as openTarget, resolveDatabaseTarget } from "@chatlog/connect";
import { ChatlogError, type ChatRepository, type RepositoryOptions } from "@chatlog/core";
import type { CliContext } from "./context.ts";

/**
 * --db, else DATABASE_URL, read the way the server reads it (@chatlog/connect): remote URLs need
 * libSQL; local files use better-sqlite3 unless CHATLOG_DRIVER=libsql. Relative paths are
 * resolved against the directory the user ran the command in.
 */
export function resolveDatabase(context: CliContext, dbOption: string | undefined): DatabaseTarget {
  return resolveDatabaseTarget({
    url: dbOption ?? context.env.DATABASE_URL,
    driver: context.env.CHATLOG_DRIVER,
    authToken: context.env.DATABASE_AUTH_TOKEN,
    baseDir: context.baseDir,
    env: context.env,
  });
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
  return openTarget(target, repository);
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
