import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const appDir = join(repoRoot, "apps", "server");
const SOURCE_CONDITION = /--conditions=@chatlog\/source/g;

export interface ServerCommand {
  /** Arguments to `node` (run in apps/server). */
  args: string[];
  /** The child's environment, given the one the test would pass. */
  env(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Why the sources are used instead of the build (null when the build is used). */
  staleReason: string | null;
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Every workspace package by name, with its folder. */
function workspacePackages(): Map<string, { dir: string; manifest: Manifest }> {
  const out = new Map<string, { dir: string; manifest: Manifest }>();
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(repoRoot, group))) {
      const file = join(repoRoot, group, name, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
      out.set(manifest.name, { dir: join(repoRoot, group, name), manifest });
    }
  }
  return out;
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Why the compiled server (dist/main.js on the compiled workspace packages) would not run the
 * current sources: a package it loads has no build, or a source file is newer than the build.
 * null when every build is current.
 */
function staleness(): string | null {
  const packages = workspacePackages();
  const seen = new Set<string>();
  const visit = (name: string, entry: string): string | null => {
    if (seen.has(name)) return null;
    seen.add(name);
    const pkg = packages.get(name);
    if (!pkg) return null;
    const built = join(pkg.dir, "dist", entry);
    if (!existsSync(built)) return `${name} is not built`;
    const builtAt = statSync(built).mtimeMs;
    const inputs = [join(pkg.dir, "src")];
    // The schema package's build copies the repository's migrations into the package.
    if (name === "@chatlog/schema") inputs.push(join(repoRoot, "drizzle"));
    for (const input of inputs) {
      if (newestMtime(input) > builtAt) return `${input} changed after ${name} was built`;
    }
    for (const [dep, spec] of Object.entries(pkg.manifest.dependencies ?? {})) {
      if (!spec.startsWith("workspace:")) continue;
      const reason = visit(dep, "index.js");
      if (reason) return reason;
    }
    return null;
  };
  return visit("@chatlog/server", "main.js");
}

let chosen: ServerCommand | undefined;

/**
 * How tests start the server as a child process. The compiled bin (what `chatlog-server` runs
 * when installed) starts in a fraction of tsx's time, and the multi-process tests start dozens
 * of servers; turbo builds it before the tests (apps/server/turbo.json, apps/web/turbo.json).
 * Run outside turbo (vitest straight after an edit), a build that is missing or older than a
 * source makes the children run the sources through tsx instead, so a test never checks stale
 * code.
 */
export function serverCommand(): ServerCommand {
  if (chosen) return chosen;
  // Under turbo (`pnpm test`), the test task depends on the build, which turbo keeps equal to
  // the sources by content; file times can only be trusted outside it (a checkout that leaves a
  // file's content as it was still makes it look newer than its build).
  const staleReason = process.env.TURBO_HASH ? null : staleness();
  if (staleReason === null) {
    chosen = {
      args: [join(appDir, "dist", "main.js")],
      // vitest gives children the source condition; the compiled server must resolve the
      // compiled packages, as an installed one does.
      env(env) {
        const nodeOptions = env.NODE_OPTIONS?.replace(SOURCE_CONDITION, "").trim();
        const out = { ...env };
        if (nodeOptions) out.NODE_OPTIONS = nodeOptions;
        else delete out.NODE_OPTIONS;
        return out;
      },
      staleReason,
    };
  } else {
    chosen = { args: ["--import", "tsx", join(appDir, "src", "main.ts")], env: (env) => env, staleReason };
  }
  return chosen;
}
