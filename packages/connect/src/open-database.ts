import { openChatRepository as openBetterSqlite3 } from "@chatlog/better-sqlite3";
import type { RepositoryOptions } from "@chatlog/core";
import { openChatRepository as openLibsql } from "@chatlog/libsql";
import type { SqliteChatRepository } from "@chatlog/sqlite";
import type { DatabaseTarget } from "./database-target.ts";

/** Opens (and by default migrates) the target with the driver it names. */
export function openDatabase(
  target: DatabaseTarget,
  options: RepositoryOptions = {},
): Promise<SqliteChatRepository> {
  if (target.driver === "libsql") {
    return openLibsql({
      ...options,
      url: target.url,
      ...(target.authToken === undefined ? {} : { authToken: target.authToken }),
    });
  }
  return openBetterSqlite3({ ...options, path: target.file ?? target.url });
}
