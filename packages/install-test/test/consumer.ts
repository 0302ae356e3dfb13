import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rootVersion } from "./packages.ts";
import type { Registry } from "./registry.ts";
import { run } from "./run.ts";

const FIXTURES = fileURLToPath(new URL("../consumer", import.meta.url));

/**
 * What an app installs by name, and all it names: a driver, the AI SDK adapter with the `ai` it
 * is a peer of, and the two commands. The contract, the schema with its migrations and the
 * shared SQL come along as dependencies. A new public driver is one more line here.
 */
export const APP_INSTALL = [
  "@chatlog/better-sqlite3",
  "@chatlog/postgres",
  "@chatlog/ai-sdk",
  "ai",
  "@chatlog/cli",
  "@chatlog/server",
];

/**
 * Added afterwards, as developers would: TypeScript with Node's types and @chatlog/core (whose
 * error class and event types a typed app names), the libSQL driver as a second driver, and the
 * conformance suite with its runner (a driver author outside this repository). Pinned to the
 * workspace's versions where the workspace has them. `@types/json-schema`: ai 7's
 * `@ai-sdk/provider` declarations import json-schema's types without depending on them, so a
 * consumer type-checking without skipLibCheck needs them (the README says so).
 */
export function developerInstall(): string[] {
  return [
    `typescript@${rootVersion("typescript")}`,
    `@types/node@${rootVersion("@types/node")}`,
    `vitest@${rootVersion("vitest")}`,
    "@types/json-schema@7.0.15",
    "@chatlog/core",
    "@chatlog/libsql",
    "@chatlog/conformance",
  ];
}

export interface Consumer {
  /** The new project folder (outside the repository) the packages were installed into. */
  dir: string;
  /** The environment its commands run with: this registry, no workspace settings. */
  env: NodeJS.ProcessEnv;
  npmSeconds: number;
}

/** An environment free of what the workspace's test run adds (vitest's source condition, pnpm's). */
export function consumerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "NODE_OPTIONS" || key === "INIT_CWD" || key.startsWith("npm_") || key.startsWith("PNPM_"))
      continue;
    if (key.startsWith("VITEST") || key === "TEST" || key === "NODE_ENV") continue;
    env[key] = value;
  }
  // better-sqlite3 13 loads the prebuilt binary inside its package and runs no install script;
  // should a future version compile, node-gyp must not try to download Node's headers.
  env.npm_config_nodedir = dirname(dirname(process.execPath));
  return { ...env, ...extra };
}

/**
 * A brand-new project in the system temp folder whose npm uses `registry` for everything, then
 * `npm install` of APP_INSTALL by name. The project's .npmrc keeps the `resolved` URLs in the
 * lockfile (this machine's npm config omits them), so the test can see where each came from.
 */
export async function installApp(registry: Registry): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-consumer-"));
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "chatlog-consumer", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, ".npmrc"),
    `registry=${registry.url}\nomit-lockfile-registry-resolved=false\nfund=false\naudit=false\n`,
  );
  cpSync(FIXTURES, dir, { recursive: true });
  const consumer = { dir, env: consumerEnv(), npmSeconds: 0 };
  consumer.npmSeconds = await npmInstall(consumer, APP_INSTALL);
  return consumer;
}

/** `npm install <names>` in the consumer; returns how long it took, in seconds. */
export async function npmInstall(consumer: Consumer, names: string[]): Promise<number> {
  const started = Date.now();
  await run("npm", ["install", "--loglevel=error", ...names], {
    cwd: consumer.dir,
    env: consumer.env,
    timeoutMs: 900_000,
  });
  return (Date.now() - started) / 1000;
}
