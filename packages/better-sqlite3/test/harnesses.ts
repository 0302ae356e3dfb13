import { fileURLToPath } from "node:url";
import { type DriverHarness, fileHarness, rawBetterSqlite3 } from "@chatlog/conformance";
import Database from "better-sqlite3";
import { openChatRepository } from "../src/index.ts";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));

export const betterSqlite3File = fileHarness({
  name: "better-sqlite3 file",
  driver: "better-sqlite3",
  entry,
  open: (path, options) => openChatRepository({ ...options, path }),
});

export const betterSqlite3Memory: DriverHarness = {
  name: "better-sqlite3 :memory:",
  driver: "better-sqlite3",
  entry,
  file: false,
  async create(options) {
    const client = new Database(":memory:");
    const repo = await openChatRepository({ ...options, client });
    return {
      repo,
      raw: rawBetterSqlite3(client),
      file: null,
      async dispose() {
        await repo.close();
        client.close();
      },
    };
  },
  reopen() {
    throw new Error("an in-memory database cannot be reopened");
  },
};
