import { openDatabase, resolveDatabaseTarget } from "@chatlog/connect";
import type { ChatRepository } from "@chatlog/core";
import type { ServerConfig } from "./config.ts";

/** Opens (and migrates) the database with the driver the configuration chose. */
export function openRepository(
  config: Pick<ServerConfig, "databaseUrl" | "driver" | "databaseAuthToken">,
): Promise<ChatRepository> {
  return openDatabase(
    resolveDatabaseTarget({
      url: config.databaseUrl,
      driver: config.driver,
      authToken: config.databaseAuthToken,
    }),
  );
}
