import type { RepositoryOptions } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import type { DatabaseTarget } from "./database-target.ts";

/**
 * Opens (and by default migrates) the target with the driver it names. The driver is loaded on
 * first use: a program on better-sqlite3 never loads libSQL's client and native binding nor
 * node-postgres, and one that never opens a database (`chatlog --help`) loads none of them,
 * which keeps start-up short.
 */
export async function openDatabase(
  target: DatabaseTarget,
  options: RepositoryOptions = {},
): Promise<EngineChatRepository> {
  if (target.driver === "postgres") {
    const { openChatRepository } = await import("@chatlog/postgres");
    return openChatRepository({ ...options, connectionString: target.url });
  }
  if (target.driver === "libsql") {
    const { openChatRepository } = await import("@chatlog/libsql");
    return openChatRepository({
      ...options,
      url: target.url,
      ...(target.authToken === undefined ? {} : { authToken: target.authToken }),
    });
  }
  const { openChatRepository } = await import("@chatlog/better-sqlite3");
  return openChatRepository({ ...options, path: target.file ?? target.url });
}
