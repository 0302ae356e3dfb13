import { afterAll, beforeAll } from "vitest";
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
