import { fileURLToPath } from "node:url";
import { type DriverHarness, fileHarness, rawLibsql } from "@chatlog/conformance";
import { createClient } from "@libsql/client";
import { openChatRepository } from "../src/index.ts";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));

export const libsqlFile = fileHarness({
  name: "libsql file:",
  driver: "libsql",
  entry,
  open: (file, options) => openChatRepository({ ...options, url: `file:${file}` }),
});

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
