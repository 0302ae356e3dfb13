import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type DriverHarness,
  fileHarness,
  type Opened,
  rawFile,
  rawLibsql,
  tempDir,
} from "@chatlog/conformance";
import type { RepositoryOptions } from "@chatlog/core";
import { type HranaServer, startHranaServer } from "@chatlog/hrana-server";
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

const TOKEN = "conformance-token";

/**
 * @chatlog/libsql on an http:// URL: every create() starts a Hrana server (in this process, on
 * 127.0.0.1:0, with a bearer token) on a fresh file; the repository migrates and works over
 * HTTP; `raw` reads the server's file directly. reopen() connects a new client to the server
 * still serving that file (or starts one); child processes get the URL.
 */
export function libsqlHttpHarness(serverOptions: { delayMs?: number } = {}): DriverHarness {
  const running = new Map<string, HranaServer>();

  async function serve(file: string): Promise<{ server: HranaServer; owned: boolean }> {
    const existing = running.get(file);
    if (existing !== undefined) return { server: existing, owned: false };
    const server = await startHranaServer({ ...serverOptions, file, authToken: TOKEN });
    running.set(file, server);
    return { server, owned: true };
  }

  async function open(file: string, options: RepositoryOptions, remove = () => {}): Promise<Opened> {
    const { server, owned } = await serve(file);
    const stop = async () => {
      if (!owned) return;
      running.delete(file);
      await server.close();
    };
    let repo: Awaited<ReturnType<typeof openChatRepository>>;
    try {
      repo = await openChatRepository({ ...options, url: server.url, authToken: TOKEN });
    } catch (error) {
      await stop();
      remove();
      throw error;
    }
    const raw = rawFile(file);
    return {
      repo,
      raw,
      file,
      async dispose() {
        await repo.close();
        raw.close();
        await stop();
        remove();
      },
    };
  }

  return {
    name: `libsql http: (Hrana server${serverOptions.delayMs ? `, ${serverOptions.delayMs} ms latency` : ""})`,
    driver: "libsql",
    entry,
    file: true,
    remoteOf(file) {
      const server = running.get(file);
      if (server === undefined) throw new Error(`no Hrana server is serving ${file}`);
      return { url: server.url, authToken: TOKEN };
    },
    async serve(file) {
      const { server, owned } = await serve(file);
      return async () => {
        if (!owned) return;
        running.delete(file);
        await server.close();
      };
    },
    create(options = {}) {
      const tmp = tempDir();
      return open(join(tmp.dir, "chat.db"), options, tmp.remove);
    },
    reopen: (file, options = {}) => open(file, options),
  };
}

export const libsqlHttp = libsqlHttpHarness();
