import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChildServer, spawnServer } from "../../../server/test/helpers/child-server.ts";

export interface WebServer {
  url: string;
  /** The database file, to start another server on the same data. */
  databaseFile: string;
  child: ChildServer;
  /** Calls the server's HTTP API from the test (with the token, if it has one). */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: the database stays for the next server. */
  kill(): Promise<void>;
}

/**
 * `pnpm start` as a real child process on a free port and a fresh database file (or the given
 * one), serving the built page (global-setup.ts builds it first). `env` adds settings such as
 * CHATLOG_OFFLINE_DELAY_MS or CHATLOG_API_TOKEN.
 */
export async function startWebServer(
  env: Record<string, string> = {},
  options: { databaseFile?: string } = {},
): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-web-"));
  const databaseFile = options.databaseFile ?? join(dir, "chat.db");
  const child = await spawnServer({
    DATABASE_URL: `file:${databaseFile}`,
    CHATLOG_OFFLINE_DELAY_MS: "5",
    // A test that ends mid-reply should not wait the default 10 s for it at shutdown.
    CHATLOG_SHUTDOWN_TIMEOUT_MS: "1000",
    ...env,
  });
  const token = env.CHATLOG_API_TOKEN;
  return {
    url: child.url,
    databaseFile,
    child,
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (token) headers.set("authorization", `Bearer ${token}`);
      return fetch(new URL(path, child.url), { ...init, headers });
    },
    async stop() {
      if (child.child.exitCode === null) child.child.kill("SIGTERM");
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      if (child.child.exitCode === null) child.child.kill("SIGKILL");
      await child.exited;
    },
  };
}
