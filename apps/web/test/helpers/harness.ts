import { afterAll, afterEach, beforeAll } from "vitest";
import { type LaunchedBrowser, launchChromium } from "./chromium.ts";
import { startWebServer, type WebServer } from "./server.ts";

export interface Harness {
  server: WebServer;
  chrome: LaunchedBrowser;
}

/**
 * One server (with `env`) and one Chromium for the enclosing describe block: started together
 * before its tests, `seed` run once both are up, both stopped after.
 */
export function serverAndBrowser(
  env: Record<string, string> = {},
  seed?: (server: WebServer) => Promise<void>,
): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    [harness.server, harness.chrome] = await Promise.all([startWebServer(env), launchChromium()]);
    await seed?.(harness.server);
  });
  afterAll(async () => {
    await harness.chrome?.close();
    await harness.server?.stop();
  });
  return harness;
}

export interface MoreServers {
  /** Starts one more server (with `env`, on a fresh database file or the given one). */
  start(env?: Record<string, string>, options?: { databaseFile?: string }): Promise<WebServer>;
}

/**
 * Servers a test starts itself (a second process on the same database, a restart): each is
 * stopped after the test that started it, newest first (so a database file outlives the
 * servers still using it), however the test ended.
 */
export function moreServers(): MoreServers {
  const started: WebServer[] = [];
  afterEach(async () => {
    for (const server of started.splice(0).reverse()) await server.stop();
  });
  return {
    async start(env = {}, options = {}) {
      const server = await startWebServer(env, options);
      started.push(server);
      return server;
    },
  };
}
