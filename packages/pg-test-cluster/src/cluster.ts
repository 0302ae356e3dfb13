import { execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPostgresBinaries } from "./binaries.ts";

export interface PostgresCluster {
  /** Superuser URL of the cluster's `postgres` database, e.g. postgres://postgres@127.0.0.1:5433/postgres. */
  url: string;
  port: number;
  /** The temp folder holding the data directory, the log and the socket. */
  dir: string;
  /** Stops the server at once (no checkpoint: the data is thrown away) and removes the folder. */
  stop(): void;
}

export interface ClusterOptions {
  /** Extra server settings (`-c name=value`), e.g. { max_connections: "300" }. */
  settings?: Record<string, string>;
}

/** Settings for a cluster whose data is thrown away: never wait for the disk. */
const THROWAWAY_SETTINGS: Record<string, string> = {
  listen_addresses: "127.0.0.1",
  fsync: "off",
  full_page_writes: "off",
  max_connections: "300",
};

/**
 * Starts a new Postgres cluster in a temp folder on a free loopback port (about 2-3 s). initdb
 * refuses to run as root, so as root every server command runs as the `postgres` user, in a
 * folder it owns. A watchdog process stops the cluster when this process ends in any way
 * (exit, signal, SIGKILL), so a crashed test run leaves no postgres behind.
 */
export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = findPostgresBinaries();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "chatlog-pg-"));
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const log = join(dir, "log");
  const run = (tool: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
      : [join(bin, tool), args];
    execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: dir });
  };
  const stop = () => {
    try {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // Not running (never started, or already stopped).
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
    const settings = { ...THROWAWAY_SETTINGS, ...options.settings };
    // Another process may take the port between the probe and the start: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const flags = [`-p ${port}`, `-k ${dir}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)];
      try {
        run("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", "-o", flags.join(" "), "start"]);
      } catch (error) {
        if (attempt < 5 && /could not bind|already in use/i.test(readLog(log))) continue;
        throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${readLog(log)}`);
      }
      const watchdog = startWatchdog({ bin, data, dir, asRoot });
      const onExit = () => stop();
      process.once("exit", onExit);
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        port,
        dir,
        stop() {
          process.removeListener("exit", onExit);
          stop();
          if (watchdog.pid !== undefined) killQuietly(watchdog.pid);
        },
      };
    }
  } catch (error) {
    stop();
    throw error;
  }
}

/**
 * A detached shell that polls this process and, once it is gone, stops the cluster and removes
 * its folder. Detached so a signal sent to this process's group (Ctrl-C) does not end it first.
 */
function startWatchdog(cluster: { bin: string; data: string; dir: string; asRoot: boolean }) {
  const pgCtl = `${cluster.asRoot ? "runuser -u postgres -- " : ""}"$1/pg_ctl" -D "$2" -m immediate -w stop`;
  const script = `while kill -0 "$0" 2>/dev/null; do sleep 0.5; done; ${pgCtl} >/dev/null 2>&1; rm -rf "$3"`;
  const child = spawn("sh", ["-c", script, String(process.pid), cluster.bin, cluster.data, cluster.dir], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  return child;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid);
  } catch {
    // Already gone.
  }
}

function readLog(log: string): string {
  try {
    return readFileSync(log, "utf8");
  } catch {
    return "";
  }
}

/** A port nothing listens on right now (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
