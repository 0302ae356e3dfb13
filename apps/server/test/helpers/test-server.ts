import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerConfig } from "../../src/config.ts";
import { type RunningServer, type StartServerOptions, startServer } from "../../src/server.ts";
import type { DriverCase } from "./drivers.ts";
import { fileDatabase, type RawDatabase } from "./raw-db.ts";

export interface TestServer extends RunningServer {
  /** The database file (fresh for each test); for Postgres, the database's URL. */
  file: string;
  /** Direct access to the database, for checks independent of the server's repository. */
  raw: RawDatabase;
  dir: string;
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  /** Runs on the fresh file before the server opens it (e.g. writes a large conversation). */
  prepare?: (file: string) => void | Promise<void>;
  /** Answers with this model instead of the offline one. */
  languageModel?: StartServerOptions["languageModel"];
}

/** A real server on a free port, on a brand-new database file, quiet unless told otherwise. */
export async function startTestServer(
  driver: DriverCase,
  env: Record<string, string> = {},
  config: Partial<ServerConfig> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-server-"));
  const database = driver.database ? await driver.database() : null;
  const file = database?.url ?? join(dir, "chat.db");
  await options.prepare?.(file);
  const server = await startServer({
    env: {
      LOG_LEVEL: "silent",
      CHATLOG_OFFLINE_DELAY_MS: "0",
      ...(database?.env ?? driver.env(file)),
      ...env,
    },
    config,
    port: 0,
    ...(options.languageModel ? { languageModel: options.languageModel } : {}),
  });
  return {
    ...server,
    file,
    raw: database?.raw ?? fileDatabase(file),
    dir,
    async dispose() {
      await server.close();
      await database?.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined (or fails after `timeoutMs`). */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
