import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerConfig } from "../../src/config.ts";
import { type RunningServer, type StartServerOptions, startServer } from "../../src/server.ts";
import type { DriverCase } from "./drivers.ts";

export interface TestServer extends RunningServer {
  /** The database file (fresh for each test). */
  file: string;
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
  const file = join(dir, "chat.db");
  await options.prepare?.(file);
  const server = await startServer({
    env: { LOG_LEVEL: "silent", CHATLOG_OFFLINE_DELAY_MS: "0", ...driver.env(file), ...env },
    config,
    port: 0,
    ...(options.languageModel ? { languageModel: options.languageModel } : {}),
  });
  return {
    ...server,
    file,
    dir,
    async dispose() {
      await server.close();
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
