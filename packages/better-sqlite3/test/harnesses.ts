import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DriverHarness, rawBetterSqlite3, rawFile, tempDir } from "@chatlog/conformance";
import Database from "better-sqlite3";
import { openChatRepository } from "../src/index.ts";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));

async function openFile(file: string, options = {}, remove = () => {}) {
  const repo = await openChatRepository({ ...options, path: file });
  const raw = rawFile(file);
  return {
    repo,
    raw,
    file,
    async dispose() {
      await repo.close();
      raw.close();
      remove();
    },
  };
}

export const betterSqlite3File: DriverHarness = {
  name: "better-sqlite3 file",
  driver: "better-sqlite3",
  entry,
  file: true,
  create(options) {
    const tmp = tempDir();
    return openFile(join(tmp.dir, "chat.db"), options, tmp.remove);
  },
  reopen: (file, options) => openFile(file, options),
};

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
