import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChildServer, spawnServer } from "../../../server/test/helpers/child-server.ts";

export interface WebServer {
  url: string;
  child: ChildServer;
  /** Calls the server's HTTP API from the test (with the token, if it has one). */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  stop(): Promise<void>;
}

/**
 * `pnpm start` as a real child process on a free port and a fresh database file, serving the
 * built page (global-setup.ts builds it first). `env` adds settings such as
 * CHATLOG_OFFLINE_DELAY_MS or CHATLOG_API_TOKEN.
 */
export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-web-"));
  const child = await spawnServer({
    DATABASE_URL: `file:${join(dir, "chat.db")}`,
    CHATLOG_OFFLINE_DELAY_MS: "5",
    ...env,
  });
  const token = env.CHATLOG_API_TOKEN;
  return {
    url: child.url,
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
  };
}
