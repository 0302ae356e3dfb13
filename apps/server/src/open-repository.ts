import { openChatRepository as openBetterSqlite3 } from "@chatlog/better-sqlite3";
import type { ChatRepository } from "@chatlog/core";
import { openChatRepository as openLibsql } from "@chatlog/libsql";
import type { ServerConfig } from "./config.ts";

/** Opens (and migrates) the database with the driver the configuration chose. */
export async function openRepository(
  config: Pick<ServerConfig, "databaseUrl" | "driver" | "databaseAuthToken">,
): Promise<ChatRepository> {
  if (config.driver === "libsql") {
    return openLibsql({
      url: config.databaseUrl,
      ...(config.databaseAuthToken === undefined ? {} : { authToken: config.databaseAuthToken }),
    });
  }
  // better-sqlite3 takes a path; a query string on a file: URL means nothing to it.
  const path = config.databaseUrl.startsWith("file:")
    ? (config.databaseUrl.slice("file:".length).split("?")[0] ?? "")
    : config.databaseUrl;
  return openBetterSqlite3({ path });
}
