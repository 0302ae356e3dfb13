import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FailureSpec, HranaControl, HranaStats } from "./control.ts";
import type { HranaServerOptions } from "./server.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const main = fileURLToPath(new URL("./main.ts", import.meta.url));

export interface HranaChild extends HranaControl {
  readonly port: number;
  readonly process: ChildProcess;
  /** Ends the server process (SIGTERM, or SIGKILL to make it vanish mid-request). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the server in a child process, for tests where it must be a separate process (killed
 * mid-run, shared by other child processes). Controlled over its admin endpoints.
 */
export async function spawnHranaServer(options: HranaServerOptions): Promise<HranaChild> {
  const tsx = pathToFileURL(createRequire(`${root}package.json`).resolve("tsx")).href;
  const child = spawn(process.execPath, ["--import", tsx, main, JSON.stringify(options)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { url, port } = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line !== undefined) resolve(JSON.parse(line));
    });
    void exited.then(() => reject(new Error(`hrana server exited before listening:\n${stderr}`)));
  });

  const call = async (action: string, body?: unknown) => {
    const response = await fetch(`${url}/__admin/${action}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`admin ${action}: HTTP ${response.status}`);
    return response.json();
  };
  return {
    url,
    port,
    file: options.file,
    process: child,
    stats: async () => (await call("stats")) as HranaStats,
    resetStats: async () => void (await call("reset", {})),
    setDelay: async (ms: number) => void (await call("delay", { ms })),
    failNext: async (spec: FailureSpec) => void (await call("fail", spec)),
    hangNext: async (count: number) => void (await call("hang", { count })),
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
