/**
 * chatlog as a user outside this repository gets it: every public package packed with
 * `pnpm pack`, the tarballs installed with `npm install` into a new empty project in the temp
 * folder, and used there with plain Node, tsc, npx and HTTP. Run by `pnpm test:install` (which
 * builds first) and by .ci/run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Consumer, installConsumer, run } from "./consumer.ts";
import { REPO_ROOT, tarballFiles, tarballManifest } from "./packages.ts";

let consumer: Consumer;

beforeAll(async () => {
  consumer = await installConsumer();
  console.log(
    `npm install of ${consumer.tarballs.size} tarballs into ${consumer.dir}: ${consumer.npmSeconds.toFixed(1)} s`,
  );
}, 900_000);

afterAll(() => {
  if (consumer && !process.env.CHATLOG_KEEP_CONSUMER) rmSync(consumer.dir, { recursive: true, force: true });
});

const node = (args: string[]) => run(process.execPath, args, { cwd: consumer.dir, env: consumer.env });
const npx = (args: string[]) =>
  run("npx", ["--no-install", ...args], { cwd: consumer.dir, env: consumer.env });

describe("the tarballs", () => {
  it("hold the build, the sources its maps point at, and no workspace-only specifiers", () => {
    for (const pkg of consumer.packages) {
      const tarball = consumer.tarballs.get(pkg.manifest.name)!;
      const files = tarballFiles(tarball);
      const manifest = tarballManifest(tarball);
      const where = `${pkg.manifest.name} (${tarball})`;
      expect(files, where).toContain("package.json");
      expect(files, where).toContain("README.md");
      expect(files, where).toContain("LICENSE");
      expect(
        files.some((f) => f.startsWith("test/") || f.endsWith(".test.ts")),
        where,
      ).toBe(false);
      const deps = { ...manifest.dependencies, ...manifest.peerDependencies };
      for (const [dep, spec] of Object.entries(deps)) {
        expect(spec, `${where}: ${dep}`).not.toMatch(/^(workspace|catalog):/);
      }
      // Every file the exports map and the bins name is in the tarball.
      const targets = [
        ...Object.values(manifest.bin ?? {}),
        ...(JSON.stringify(manifest.exports ?? {}).match(/"\.\/[^"]+"/g) ?? [])
          .map((s) => s.slice(1, -1))
          .filter((p) => p !== "./package.json"),
      ];
      for (const target of targets)
        expect(files, `${where}: ${target}`).toContain(target.replace(/^\.\//, ""));
      if (manifest.exports) {
        expect(files, where).toContain("dist/index.d.ts");
        expect(files, where).toContain("dist/index.d.ts.map");
      }
    }
  });

  it("were installed from the tarballs, not from a registry", () => {
    const lock = JSON.parse(readFileSync(join(consumer.dir, "package-lock.json"), "utf8")) as {
      packages: Record<string, { resolved?: string; link?: boolean }>;
    };
    for (const pkg of consumer.packages) {
      const entry = lock.packages[`node_modules/${pkg.manifest.name}`];
      expect(entry?.resolved, pkg.manifest.name).toMatch(/^file:\.tarballs\//);
    }
    // Nothing but what the tarballs declare: no TypeScript runner came along.
    expect(existsSync(join(consumer.dir, "node_modules", "tsx"))).toBe(false);
  });

  it("carry the migrations: the installed schema package finds its own copy, equal to drizzle/", async () => {
    const { stdout } = await node([
      "--input-type=module",
      "-e",
      'import { migrationsFolder } from "@chatlog/schema"; console.log(migrationsFolder);',
    ]);
    const folder = stdout.trim();
    expect(realpathSync(folder)).toBe(
      realpathSync(join(consumer.dir, "node_modules", "@chatlog", "schema", "drizzle")),
    );
    const list = (dir: string) => readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
    const source = join(REPO_ROOT, "drizzle");
    expect(list(folder)).toEqual(list(source));
    for (const file of list(source)) {
      if (file.endsWith(".sql") || file.endsWith(".json")) {
        expect(readFileSync(join(folder, file), "utf8"), file).toBe(readFileSync(join(source, file), "utf8"));
      }
    }
  });
});

describe("plain Node", () => {
  it("opens a repository with each driver on a file: migrate, append, replay, history, close", async () => {
    const { stdout } = await node(["drivers.mjs", consumer.dir]);
    const report = JSON.parse(stdout) as {
      migrationsFolder: string;
      drivers: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(report.drivers)).toEqual(["better-sqlite3", "libsql"]);
    for (const [name, result] of Object.entries(report.drivers)) {
      expect(result, name).toEqual({
        stored: true,
        replayed: false,
        firstAdded: true,
        againAdded: false,
        sameEvent: true,
        events: [
          { seq: 1, type: "user_message", content: "Hello!" },
          { seq: 2, type: "assistant_message", content: "Hi!" },
        ],
        llm: [
          { role: "system", content: "You are helpful." },
          { role: "user", content: "Hello!" },
          { role: "assistant", content: "Hi!" },
          { role: "user", content: "What next?" },
        ],
        uiSaved: [true, false],
        uiMessages: [{ id: "ui-1", role: "user", parts: [{ type: "text", text: "From the UI" }] }],
      });
    }
  });

  it("a CommonJS consumer works through require(esm) on this Node", async () => {
    expect(process.versions.node.split(".").map(Number)).toSatisfy(
      ([major, minor]: number[]) =>
        major! > 22 || (major === 22 && minor! >= 12) || (major === 20 && minor! >= 19),
    );
    const { stdout } = await node(["require.cjs"]);
    expect(JSON.parse(stdout)).toEqual({
      assistantReplyKey: expect.stringContaining("req-1"),
      ChatlogError: "function",
      betterSqlite3: "function",
      libsql: "function",
    });
  });
});

describe("TypeScript", () => {
  it("tsc --noEmit --strict passes on a consumer of the public types (shipped .d.ts checked too)", async () => {
    const tsc = join(consumer.dir, "node_modules", "typescript", "bin", "tsc");
    const result = await node([tsc, "--noEmit", "--strict", "-p", "tsconfig.json"]).catch(
      (error: Error) => error,
    );
    expect(result instanceof Error ? result.message : "").toBe("");
  });
});

describe("@chatlog/conformance", () => {
  it("runs from the installed package against a driver outside the repository (the README example)", async () => {
    const report = join(consumer.dir, "conformance-report.json");
    await npx([
      "vitest",
      "run",
      "conformance.test.ts",
      "--testTimeout=120000",
      "--hookTimeout=120000",
      "--no-file-parallelism",
      "--reporter=json",
      `--outputFile=${report}`,
    ]).catch((error: Error) => error);
    const result = JSON.parse(readFileSync(report, "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
    };
    const failed = result.testResults
      .flatMap((file) => file.assertionResults)
      .filter((test) => test.status === "failed")
      .map((test) => `${test.fullName}: ${test.failureMessages[0]?.slice(0, 500)}`);
    expect(failed).toEqual([]);
    expect(result.numPassedTests).toBeGreaterThan(50);
    // The multi-process cases ran, on the compiled child scripts with plain Node.
    const names = result.testResults.flatMap((file) => file.assertionResults.map((test) => test.fullName));
    expect(names.some((name) => name.includes("processes: my driver (file)"))).toBe(true);
  });
});

describe("the bins", () => {
  it("npx chatlog --help", async () => {
    const { stdout } = await npx(["chatlog", "--help"]);
    expect(stdout).toContain("Usage: chatlog <command>");
    expect(stdout).toContain("migrate");
  });

  it("npx chatlog migrate --db <file> creates a database the drivers then open", async () => {
    const file = join(consumer.dir, "migrated.db");
    await npx(["chatlog", "migrate", "--db", file]);
    const { stdout } = await npx(["chatlog", "stats", "--json", "--db", file]);
    expect(JSON.parse(stdout)).toMatchObject({ conversations: 0 });
  });

  it("npx chatlog-server on a free port serves the chat page, answers a turn over HTTP and stops on SIGTERM", async () => {
    // Its own process group, as a terminal would run it: the SIGTERM reaches npx and the server.
    const server = spawn("npx", ["--no-install", "chatlog-server"], {
      cwd: consumer.dir,
      env: { ...consumer.env, PORT: "0", DATABASE_URL: `file:${join(consumer.dir, "server.db")}` },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
    try {
      const { url, output } = await listening(server);
      // The chat page travels in the server's tarball (web/), so / answers it, not "not built".
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`${url}${script}`)).status).toBe(200);
      const turn = await fetch(`${url}/v1/conversations/demo/turns`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ content: "What time is it?", requestId: "r1" }),
      });
      expect(turn.status).toBe(200);
      expect(turn.headers.get("content-type")).toContain("text/event-stream");
      const stream = await turn.text();
      expect(stream).toContain("event: tool_call");
      expect(stream).toContain("event: done");
      const history = (await (await fetch(`${url}/v1/conversations/demo/history`)).json()) as {
        events: { type: string }[];
      };
      expect(history.events.map((e) => e.type)).toEqual([
        "user_message",
        "tool_call",
        "tool_result",
        "assistant_message",
      ]);

      process.kill(-server.pid!, "SIGTERM");
      await closed;
      const logged = output()
        .split("\n")
        .filter((line) => line.startsWith("{"));
      const messages = logged.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain("shutting down");
      expect(messages.at(-1)).toBe("stopped");
      // Nothing is left listening.
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      if (server.exitCode === null && server.signalCode === null) process.kill(-server.pid!, "SIGKILL");
    }
  });
});

/** Waits for the server's `listening` log line; returns its URL and a view of all its output. */
function listening(server: ChildProcess): Promise<{ url: string; output: () => string }> {
  let out = "";
  let err = "";
  const output = () => out;
  server.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  server.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}\n${err}`)), 60_000);
    const check = () => {
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const parsed = JSON.parse(line) as { msg?: string; url?: string };
          if (parsed.msg === "listening" && parsed.url) {
            clearTimeout(timer);
            resolve({ url: parsed.url, output });
            return;
          }
        } catch {
          // a line still being written
        }
      }
    };
    server.stdout!.on("data", check);
    server.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}\n${err}`)));
  });
}
