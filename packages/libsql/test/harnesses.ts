import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DriverHarness, rawFile, rawLibsql, tempDir } from "@chatlog/conformance";
import { createClient } from "@libsql/client";
import { openChatRepository } from "../src/index.ts";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));

async function openFile(file: string, options = {}, remove = () => {}) {
  const repo = await openChatRepository({ ...options, url: `file:${file}` });
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

export const libsqlFile: DriverHarness = {
  name: "libsql file:",
  driver: "libsql",
  entry,
  file: true,
  create(options) {
    const tmp = tempDir();
    return openFile(join(tmp.dir, "chat.db"), options, tmp.remove);
  },
  reopen: (file, options) => openFile(file, options),
};

export const libsqlMemory: DriverHarness = {
  name: "libsql :memory:",
  driver: "libsql",
  entry,
  file: false,
  async create(options) {
    const client = createClient({ url: ":memory:", concurrency: 1 });
    const repo = await openChatRepository({ ...options, url: ":memory:", client });
    return {
      repo,
      raw: rawLibsql(client),
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
