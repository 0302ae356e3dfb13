import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { postgresAvailable, startPostgresCluster } from "../src/index.ts";
import { answers, eventually, query } from "./helpers.ts";

describe.runIf(postgresAvailable())("startPostgresCluster", () => {
  it("starts a server on a loopback port with fsync off, and stop() ends it and removes its folder", async () => {
    const cluster = await startPostgresCluster();
    try {
      expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
      const { rows } = await query(
        cluster.url,
        "SELECT current_setting('fsync') AS fsync, current_setting('server_encoding') AS enc",
      );
      expect(rows[0]).toEqual({ fsync: "off", enc: "UTF8" });
    } finally {
      cluster.stop();
    }
    expect(await answers(cluster.url)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
  });

  it("takes extra settings", async () => {
    const cluster = await startPostgresCluster({ settings: { max_connections: "42" } });
    try {
      const { rows } = await query(cluster.url, "SHOW max_connections");
      expect(rows[0]).toEqual({ max_connections: "42" });
    } finally {
      cluster.stop();
    }
  });

  it.each(["SIGKILL", "SIGINT", "SIGTERM"] as const)(
    "is stopped when the process that started it gets %s",
    async (signal) => {
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
      const child = spawn(
        process.execPath,
        ["--import", tsx, `${import.meta.dirname}/children/start-and-hang.ts`],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
        });
        child.once("exit", (code) => reject(new Error(`child exited with ${code} before starting`)));
      });
      const started = JSON.parse(line) as { url: string; dir: string };
      expect(await answers(started.url)).toBe(true);
      child.kill(signal);
      expect(await eventually(async () => !(await answers(started.url)) && !existsSync(started.dir))).toBe(
        true,
      );
    },
  );
});
