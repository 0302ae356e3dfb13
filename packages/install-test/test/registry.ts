/**
 * A private npm registry for one test run: verdaccio in a child process, its storage in a temp
 * folder. `@chatlog/*` is served from that storage only (no uplink, so a same-named scope on a
 * public registry can never stand in for ours); every other package is proxied to the registry
 * npm is configured with. Nothing published here goes anywhere else.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { run } from "./run.ts";

export interface Registry {
  /** e.g. http://127.0.0.1:41234/ (with the trailing slash npm writes in lockfiles). */
  url: string;
  /** An npmrc that points npm and pnpm at this registry, with a token they can publish with. */
  npmrc: string;
  /** `pnpm publish` of one tarball to this registry. */
  publish: (tarball: string) => Promise<void>;
  /** Stops verdaccio and waits for its process to end. */
  stop: () => Promise<void>;
}

/** The registry this machine's npm uses; verdaccio proxies everything but @chatlog/* to it. */
function upstreamRegistry(): string {
  return execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

function config(storage: string, upstream: string): string {
  // JSON is valid YAML, and needs no quoting rules for the package patterns.
  return JSON.stringify({
    storage,
    uplinks: { upstream: { url: upstream, timeout: "120s", max_fails: 5 } },
    packages: {
      "@chatlog/*": { access: "$all", publish: "$all", unpublish: "$all" },
      "**": { access: "$all", publish: "$authenticated", proxy: "upstream" },
    },
    // The server's tarball carries the built chat page.
    max_body_size: "200mb",
    web: { enable: false },
    log: { type: "stdout", format: "json", level: "warn" },
  });
}

async function waitUntilUp(url: string, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const why = exited();
    if (why) throw new Error(`verdaccio ended before it answered: ${why}`);
    try {
      if ((await fetch(new URL("-/ping", url))).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer at ${url} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts a registry whose files all live under `folder` (created). */
export async function startRegistry(folder: string): Promise<Registry> {
  mkdirSync(join(folder, "storage"), { recursive: true });
  const configFile = join(folder, "config.yaml");
  writeFileSync(configFile, config(join(folder, "storage"), upstreamRegistry()));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  // Any token will do (the @chatlog scope is open to publish); npm and pnpm refuse to publish
  // to a registry they hold no credentials for.
  const npmrc = join(folder, "npmrc");
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=test-only\n`);

  const bin = join(
    dirname(createRequire(import.meta.url).resolve("verdaccio/package.json")),
    "bin",
    "verdaccio",
  );
  const child = spawn(process.execPath, [bin, "--config", configFile, "--listen", `127.0.0.1:${port}`], {
    cwd: folder,
    env: { ...process.env, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let ended: string | undefined;
  const closed = new Promise<void>((resolve) =>
    child.once("close", (code, signal) => {
      ended = `${code ?? signal}\n${log}`;
      resolve();
    }),
  );

  const stop = async () => {
    if (ended === undefined) child.kill("SIGTERM");
    await closed;
  };
  try {
    await waitUntilUp(url, () => ended);
  } catch (error) {
    await stop();
    throw error;
  }

  const publish = async (tarball: string) => {
    await run("pnpm", ["publish", tarball, "--registry", url, "--no-git-checks"], {
      cwd: folder,
      env: { ...process.env, NODE_OPTIONS: "", npm_config_userconfig: npmrc, FORCE_COLOR: "0" },
    });
  };
  return { url, npmrc, publish, stop };
}
