import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serverCommand } from "./server-command.ts";

const appDir = fileURLToPath(new URL("../..", import.meta.url));

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Every stdout line so far (JSON log lines). */
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let warned = false;

/**
 * Runs the server as a real process (the compiled `dist/main.js`, or the sources through tsx
 * when the build is stale: server-command.ts) and waits for its "listening" line.
 */
export function spawnServer(env: Record<string, string>, startTimeoutMs = 30_000): Promise<ChildServer> {
  const command = serverCommand();
  if (command.staleReason !== null && !warned) {
    warned = true;
    console.warn(
      `child servers run the sources through tsx (slower): ${command.staleReason} (pnpm test builds first)`,
    );
  }
  const child = spawn(process.execPath, command.args, {
    cwd: appDir,
    env: command.env({ ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    let pending = "";
    const timer = setTimeout(() => {
      // Not left running behind a caller that gave up on it.
      child.kill("SIGKILL");
      reject(new Error(`server did not start: ${err}`));
    }, startTimeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        lines.push(line);
        try {
          const parsed = JSON.parse(line) as { msg?: string; url?: string };
          if (parsed.msg === "listening" && parsed.url) {
            clearTimeout(timer);
            resolve({ url: parsed.url, child, lines, stderr: () => err, exited });
          }
        } catch {
          // not a log line
        }
        nl = pending.indexOf("\n");
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${err}`));
    });
  });
}

/**
 * Per-test child servers on one fresh database file: `start` spawns one on it, and `cleanup`
 * (afterEach) SIGKILLs whatever is still running and removes the folder.
 */
export function childServerPool(prefix: string, baseEnv: (file: string) => Record<string, string>) {
  const children: ChildServer[] = [];
  const pool = {
    dir: "",
    file: "",
    setup() {
      pool.dir = mkdtempSync(join(tmpdir(), prefix));
      pool.file = join(pool.dir, "chat.db");
    },
    async start(env: Record<string, string> = {}): Promise<ChildServer> {
      const server = await spawnServer({ ...baseEnv(pool.file), ...env });
      children.push(server);
      return server;
    },
    async cleanup() {
      for (const c of children.splice(0)) {
        if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
        await c.exited;
      }
      rmSync(pool.dir, { recursive: true, force: true });
    },
  };
  return pool;
}
