import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type PackageJson,
  pack,
  publicPackages,
  REPO_ROOT,
  rootVersion,
  type WorkspacePackage,
} from "./packages.ts";

const FIXTURES = fileURLToPath(new URL("../consumer", import.meta.url));

export interface Consumer {
  /** The new project folder (outside the workspace) the tarballs were installed into. */
  dir: string;
  packages: WorkspacePackage[];
  /** Tarball path by package name. */
  tarballs: Map<string, string>;
  /** The environment its commands run with: no workspace settings, no source condition. */
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
  // node-gyp must not try to download Node's headers if better-sqlite3 ever compiles here.
  env.npm_config_nodedir = dirname(dirname(process.execPath));
  return { ...env, ...extra };
}

/**
 * better-sqlite3's install script (prebuild-install) looks in a local prebuilds folder before
 * downloading from GitHub (unreachable here) and compiling (about 80 s). The workspace has
 * already compiled the same version for this Node: hand it over as that prebuild, so npm's real
 * install path runs, quickly. Returns the version, which the consumer pins.
 */
function workspaceBetterSqlite3Prebuild(folder: string): string {
  const require = createRequire(join(REPO_ROOT, "packages", "better-sqlite3", "package.json"));
  const pkgFile = require.resolve("better-sqlite3/package.json");
  const { version } = JSON.parse(readFileSync(pkgFile, "utf8")) as PackageJson;
  const root = dirname(pkgFile);
  const binary = join("build", "Release", "better_sqlite3.node");
  if (existsSync(join(root, binary))) {
    mkdirSync(folder, { recursive: true });
    const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    execFileSync("tar", ["-czf", join(folder, name), "-C", root, binary]);
  }
  return version;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(new Error(`${command} ${args.join(" ")} ended with ${code ?? signal}\n${stdout}\n${stderr}`));
    });
  });
}

/**
 * Packs every public package (their builds must exist: `pnpm test:install` runs `pnpm build`
 * first) and `npm install`s the tarballs into a brand-new project in the system temp folder,
 * with TypeScript, Node's types and vitest beside them, as a TypeScript user would have.
 */
export async function installConsumer(): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-consumer-"));
  const tarballDir = join(dir, ".tarballs");
  mkdirSync(tarballDir);
  const packages = publicPackages();
  const tarballs = new Map<string, string>();
  for (const pkg of packages) tarballs.set(pkg.manifest.name, pack(pkg, tarballDir));

  const prebuilds = join(dir, ".prebuilds");
  const betterSqlite3 = workspaceBetterSqlite3Prebuild(prebuilds);
  const dependencies: Record<string, string> = {
    typescript: rootVersion("typescript"),
    "@types/node": rootVersion("@types/node"),
    // The conformance example's test runner (a peer dependency of @chatlog/conformance).
    vitest: rootVersion("vitest"),
    // The `ai` package's own declarations (@ai-sdk/provider) import json-schema's types without
    // depending on them; a consumer type-checking without skipLibCheck needs them installed.
    "@types/json-schema": "7.0.15",
  };
  for (const [name, tarball] of tarballs) dependencies[name] = `file:.tarballs/${basename(tarball)}`;
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify(
      {
        name: "chatlog-consumer",
        private: true,
        type: "module",
        dependencies,
        // Only so the workspace's compiled better-sqlite3 matches (see above); any 12.x works.
        overrides: { "better-sqlite3": betterSqlite3 },
      },
      null,
      2,
    )}\n`,
  );
  cpSync(FIXTURES, dir, { recursive: true });

  const started = Date.now();
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    env: consumerEnv({ npm_config_better_sqlite3_local_prebuilds: prebuilds }),
    timeoutMs: 600_000,
  });
  return { dir, packages, tarballs, env: consumerEnv(), npmSeconds: (Date.now() - started) / 1000 };
}
