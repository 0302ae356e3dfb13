import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DriverHarness } from "../harness.ts";

/** The monorepo root (this file is packages/conformance/src/processes/child-process.ts). */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * In the workspace this module runs from src/ (.ts) and its child scripts are TypeScript run
 * through tsx; in an installed @chatlog/conformance it runs from dist/ and the children are the
 * compiled .js beside it, run by plain Node (no tsx needed by a driver author).
 */
const fromSources = import.meta.url.endsWith(".ts");

/** Absolute path of a child script (named by its source, `x.ts`) in the children folder. */
export function childScript(name: string): string {
  const file = fromSources ? name : name.replace(/\.ts$/, ".js");
  return fileURLToPath(new URL(`../children/${file}`, import.meta.url));
}

/**
 * tsx's ESM loader as an absolute file URL, resolved from the root package (where tsx is
 * installed), so `--import` works whatever the cwd of the test run is. Resolved on first use:
 * outside the repository there is no tsx, and none is needed.
 */
export function tsxLoader(): string {
  return pathToFileURL(createRequire(join(repoRoot, "package.json")).resolve("tsx")).href;
}

/** What every child script receives as its single JSON argument. */
export interface ChildTarget {
  driver: DriverHarness["driver"];
  entry: string;
  file: string;
  /** Remote configurations: the URL (and token) the child opens instead of the file. */
  url?: string;
  authToken?: string;
}

export function targetOf(harness: DriverHarness, file: string): ChildTarget {
  return { driver: harness.driver, entry: harness.entry, file, ...harness.remoteOf?.(file) };
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the child outlived its allowance and was killed by the watchdog. */
  timedOut: boolean;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * One real child process with line-oriented stdout. Output is kept in full so that a failing
 * assertion can show what the child said.
 */
export class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  private stdout = "";
  private stderr = "";
  private partial = "";
  private readonly listeners = new Set<(line: string) => void>();
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(command: string, args: readonly string[], options: SpawnOptions = {}) {
    this.proc = spawn(command, args, {
      cwd: options.cwd ?? (fromSources ? repoRoot : process.cwd()),
      env: options.env ?? process.env,
      stdio: "pipe",
    });
    this.proc.stdout.setEncoding("utf8");
    this.proc.stderr.setEncoding("utf8");
    this.proc.stdout.on("data", (chunk: string) => {
      this.stdout += chunk;
      const parts = (this.partial + chunk).split("\n");
      this.partial = parts.pop() ?? "";
      for (const line of parts) {
        this.lines.push(line);
        for (const listener of this.listeners) listener(line);
      }
    });
    this.proc.stderr.on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    // A child that dies early closes its stdin; writing to it must not crash the test runner.
    this.proc.stdin.on("error", () => undefined);
    // "close" (not "exit") fires after stdout has been read to the end, so no line is lost.
    this.closed = new Promise((resolve, reject) => {
      this.proc.once("error", reject);
      this.proc.once("close", (code, signal) => resolve({ code, signal }));
    });
  }

  /** A child script (the TypeScript one through tsx, or its compiled .js), with its JSON argument. */
  static script(name: string, arg: unknown, options: SpawnOptions = {}): Child {
    const loader = fromSources ? ["--import", tsxLoader()] : [];
    return new Child(process.execPath, [...loader, childScript(name), JSON.stringify(arg)], options);
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.add(listener);
  }

  /** Resolves with the first line (already seen or still to come) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = (error: Error | null, line?: string) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error) reject(error);
        else resolve(line as string);
      };
      const listener = (line: string) => {
        if (match(line)) done(null, line);
      };
      const timer = setTimeout(
        () => done(new Error(`no matching line within ${timeoutMs} ms; stderr:\n${this.stderr}`)),
        timeoutMs,
      );
      this.listeners.add(listener);
      void this.closed.then(() =>
        done(
          new Error(
            `child exited before the expected line; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
          ),
        ),
      );
    });
  }

  send(line: string): void {
    this.proc.stdin.write(`${line}\n`);
  }

  kill(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  /** Kills the child if it is still running: a failed test must not leave processes behind. */
  stop(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }

  /**
   * Waits for the child to end. Past `timeoutMs` it is killed and `timedOut` is set: the
   * allowance is a hang detector, generous on purpose, never a speed assertion.
   */
  async exit(timeoutMs: number): Promise<ChildExit> {
    let timedOut = false;
    const watchdog = setTimeout(() => {
      timedOut = true;
      this.proc.kill("SIGKILL");
    }, timeoutMs);
    try {
      const { code, signal } = await this.closed;
      return { code, signal, stdout: this.stdout, stderr: this.stderr, timedOut };
    } finally {
      clearTimeout(watchdog);
    }
  }

  /** The JSON objects the child printed, one per line (other lines are ignored). */
  jsonLines<T>(): T[] {
    const out: T[] = [];
    for (const line of this.lines) {
      if (!line.startsWith("{")) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // not a report line
      }
    }
    return out;
  }
}

/** Waits for every child to print its ready line, then releases them all at once. */
export async function startTogether(children: readonly Child[], timeoutMs = 30_000): Promise<void> {
  try {
    await Promise.all(children.map((c) => c.waitForLine((line) => line === READY, timeoutMs)));
  } catch (error) {
    // One child failed to start: the others would wait for "go" forever.
    for (const c of children) c.stop();
    throw error;
  }
  for (const c of children) {
    c.send(GO);
    // Nothing more will be written: closing stdin lets the child's event loop drain and end.
    c.proc.stdin.end();
  }
}

export const READY = "ready";
export const GO = "go";

export function describeExit(exit: ChildExit): string {
  return `code=${exit.code} signal=${exit.signal} timedOut=${exit.timedOut}\nstdout:\n${exit.stdout.slice(-4000)}\nstderr:\n${exit.stderr.slice(-4000)}`;
}
