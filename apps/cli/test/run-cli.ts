import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = join(CLI_DIR, "..", "..");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to a clean environment (no DATABASE_URL, CHATLOG_DRIVER, colour or pnpm variables). */
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
}

/** Settings the surrounding shell or test runner may carry that would change the CLI's behaviour. */
const SCRUBBED = [
  "DATABASE_URL",
  "DATABASE_AUTH_TOKEN",
  "CHATLOG_DRIVER",
  "NO_COLOR",
  "FORCE_COLOR",
  "INIT_CWD",
  "npm_lifecycle_event",
];

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED) delete env[key];
  // vitest adds the @chatlog/source condition for the children tests start; the compiled bin
  // must resolve the compiled packages, as it does when installed.
  const nodeOptions = env.NODE_OPTIONS?.replace(/--conditions=@chatlog\/source/g, "").trim();
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  else delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

/**
 * The compiled `chatlog` bin (what `npm install @chatlog/cli` links; built by `pnpm build`, which
 * turbo runs before these tests), on the compiled workspace packages: plain Node, no tsx.
 */
export const BIN = join(CLI_DIR, "dist", "main.js");

/** Runs the real command (`node dist/main.js ...`) as a child process. */
export function chatlog(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? CLI_DIR,
      env: cleanEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

/** A fresh temporary directory per test; the returned function removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-cli-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
export const ANSI = /\x1b\[/;

/** The text without its SGR (colour) escapes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
export const stripAnsi = (text: string) => text.replace(/\x1b\[\d+m/g, "");
