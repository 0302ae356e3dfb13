import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

type Env = Record<string, string | undefined>;

/** The file name of the main database inside the data directory. */
export const DEFAULT_DATABASE_FILE = "chatlog.db";

/**
 * The package scripts through which people start chatlog (`pnpm start`, `pnpm chatlog`,
 * `pnpm example`, `pnpm --filter @chatlog/server start`). pnpm runs a script in its package's
 * folder and records the folder the user typed the command in as INIT_CWD. INIT_CWD is trusted
 * only while one of these scripts runs: it also leaks into every process a script starts (a
 * `pnpm test` run, for one), where it would point somewhere unrelated.
 */
const ENTRY_SCRIPTS = new Set(["start", "chatlog", "example"]);

/** The directory the user ran the command in: what relative paths they type are relative to. */
export function invocationDir(env: Env = process.env, cwd: string = process.cwd()): string {
  const init = env.INIT_CWD;
  if (init && isAbsolute(init) && ENTRY_SCRIPTS.has(env.npm_lifecycle_event ?? "")) return init;
  return cwd;
}

function isWorkspaceRoot(dir: string): boolean {
  if (existsSync(join(dir, "pnpm-workspace.yaml"))) return true;
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { workspaces?: unknown }).workspaces !== undefined;
  } catch {
    return false;
  }
}

/**
 * The project a command runs in: the nearest enclosing workspace root (a folder with
 * pnpm-workspace.yaml, or a package.json with `workspaces`), else `from` itself. Every app of a
 * monorepo, started from any of its folders, finds the same root.
 */
export function projectRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (isWorkspaceRoot(dir)) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

/**
 * Where chatlog keeps its local databases when no URL is given: CHATLOG_DATA_DIR (relative to
 * the invocation directory) if set, else `data/` at the project root. The server, the CLI and
 * the example all take their default file from here, so they meet on one database whichever
 * folder or script they were started from.
 */
export function defaultDataDir(env: Env = process.env, cwd: string = process.cwd()): string {
  const from = invocationDir(env, cwd);
  const configured = env.CHATLOG_DATA_DIR;
  if (configured !== undefined && configured.trim() !== "") return resolve(from, configured);
  return join(projectRoot(from), "data");
}

/** A database file in the data directory (the main one by default). */
export function defaultDatabaseFile(
  env: Env = process.env,
  cwd: string = process.cwd(),
  name: string = DEFAULT_DATABASE_FILE,
): string {
  return join(defaultDataDir(env, cwd), name);
}
