/**
 * chatlog as a user outside this repository gets it: every public package packed (as
 * `pnpm pack:public` does) and published to a private registry started for this test, then, in a
 * new folder in the temp directory, `npm install` of the app's packages by name, with nothing
 * else named, and used there with plain Node, npx and HTTP; then what a developer adds
 * (TypeScript, a second driver, the conformance suite). Run by `pnpm test:install` (which builds
 * first) and by .ci/run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, sharedTestServerUrl } from "@chatlog/pg-test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_INSTALL, type Consumer, developerInstall, installApp, npmInstall } from "./consumer.ts";
import { type PackageJson, publicPackages, REPO_ROOT, tarballFiles, tarballManifest } from "./packages.ts";
import { type Registry, startRegistry } from "./registry.ts";
import { run } from "./run.ts";

const packages = publicPackages();
let work: string;
let tarballs: Map<string, string>;
let registry: Registry | undefined;
let consumer: Consumer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "chatlog-registry-test-"));
  tarballs = await packPublicInto(join(work, "tarballs"));
  registry = await startRegistry(join(work, "registry"));
  for (const tarball of tarballs.values()) await registry.publish(tarball);
  consumer = await installApp(registry);
  console.log(
    `published ${tarballs.size} packages to ${registry.url}; npm install ${APP_INSTALL.join(" ")} ` +
      `into ${consumer.dir}: ${consumer.npmSeconds.toFixed(1)} s`,
  );
}, 1_200_000);

afterAll(async () => {
  await registry?.stop();
  if (process.env.CHATLOG_KEEP_CONSUMER) return;
  if (consumer) rmSync(consumer.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * What `pnpm pack:public` runs after its build (scripts/pack-public.ts), into a folder that
 * already holds an older tarball and a file of the user's. Returns the tarball by package name.
 */
async function packPublicInto(folder: string): Promise<Map<string, string>> {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "chatlog-core-0.0.1.tgz"), "an older tarball");
  writeFileSync(join(folder, "notes.txt"), "not a tarball");
  await run(process.execPath, [join(REPO_ROOT, "scripts", "pack-public.ts"), folder], {
    cwd: REPO_ROOT,
    env: process.env,
  });
  const files = readdirSync(folder).filter((file) => file.endsWith(".tgz"));
  return new Map(files.map((file) => [tarballManifest(join(folder, file)).name, join(folder, file)]));
}

const node = (args: string[], cwd = consumer.dir) => run(process.execPath, args, { cwd, env: consumer.env });
const npm = (args: string[]) => run("npm", args, { cwd: consumer.dir, env: consumer.env });
const npx = (args: string[]) =>
  run("npx", ["--no-install", ...args], { cwd: consumer.dir, env: consumer.env });

/** What drivers.mjs reports for one driver (the same on every driver). */
const DRIVER_REPORT = {
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
  uiSaved: [true, false, true, false],
  uiMessages: [
    { id: "ui-1", role: "user", parts: expect.arrayContaining([expect.objectContaining({ type: "file" })]) },
    {
      id: "ui-2",
      role: "assistant",
      parts: ["step-start", "custom", "reasoning-file", "tool-deleteFile", "text"].map((type) =>
        expect.objectContaining({ type }),
      ),
    },
  ],
  uiMessagesAsSent: true,
};

describe("the tarballs", () => {
  it("pnpm pack:public: the public packages, and only those, with older tarballs replaced", () => {
    expect([...tarballs.keys()].sort()).toEqual(packages.map((pkg) => pkg.manifest.name).sort());
    const folder = join(work, "tarballs");
    expect(readdirSync(folder).filter((file) => file.endsWith(".tgz"))).toHaveLength(packages.length);
    expect(existsSync(join(folder, "chatlog-core-0.0.1.tgz"))).toBe(false);
    expect(readFileSync(join(folder, "notes.txt"), "utf8")).toBe("not a tarball");
    expect(packages.some((pkg) => pkg.manifest.private)).toBe(false);
    expect([...tarballs.keys()]).not.toContain("@chatlog/install-test");
    expect([...tarballs.keys()]).toContain("@chatlog/better-sqlite3");
  });

  it("hold the build, the sources its maps point at, and no workspace-only specifiers", () => {
    for (const pkg of packages) {
      const tarball = tarballs.get(pkg.manifest.name)!;
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
        ...exportTargets(manifest.exports).filter((p) => p !== "./package.json"),
      ];
      for (const target of targets)
        expect(files, `${where}: ${target}`).toContain(target.replace(/^\.\//, ""));
      if (manifest.exports) {
        expect(files, where).toContain("dist/index.d.ts");
        expect(files, where).toContain("dist/index.d.ts.map");
      }
    }
  });
});

describe("npm install by name from the registry", () => {
  it("names only the app's packages; every @chatlog package, those brought along included, came from the local registry", () => {
    const manifest = JSON.parse(readFileSync(join(consumer.dir, "package.json"), "utf8")) as PackageJson;
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual([...APP_INSTALL].sort());
    const lock = JSON.parse(readFileSync(join(consumer.dir, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string; resolved?: string; link?: boolean }>;
    };
    const ours = Object.entries(lock.packages).filter(([path]) =>
      /(^|\/)node_modules\/@chatlog\//.test(path),
    );
    const names = new Set(ours.map(([path]) => path.replace(/^.*node_modules\//, "")));
    // The contract, the schema with its migrations and the shared SQL were not named.
    for (const name of ["@chatlog/core", "@chatlog/schema", "@chatlog/sqlite"]) expect(names).toContain(name);
    for (const [path, entry] of ours) {
      expect(entry.link, path).toBeUndefined();
      expect(entry.resolved, path).toMatch(new RegExp(`^${registry!.url.replace(/[.]/g, "\\.")}@chatlog/`));
    }
  });

  it("better-sqlite3 runs its prebuilt binary: nothing was compiled", async () => {
    const root = join(consumer.dir, "node_modules", "better-sqlite3");
    expect(existsSync(join(root, "build", "Release", "better_sqlite3.node"))).toBe(false);
    const { stdout } = await node([
      "-e",
      'const D = require("better-sqlite3"); console.log(new D(":memory:").prepare("select sqlite_version() v").get().v)',
    ]);
    expect(stdout.trim()).toMatch(/^3\.\d+\.\d+$/);
  });

  it("npm ls ai: one copy of ai, shared by the app, @chatlog/ai-sdk (a peer) and @chatlog/server", async () => {
    const { stdout } = await npm(["ls", "ai", "--all", "--parseable"]);
    const copies = new Set(stdout.trim().split("\n"));
    expect([...copies]).toEqual([realpathSync(join(consumer.dir, "node_modules", "ai"))]);
    // The tree view, as a user reads it: ai under the app, deduped everywhere else, no "invalid".
    const tree = (await npm(["ls", "ai", "--all"])).stdout;
    expect(tree).toContain("@chatlog/ai-sdk@");
    expect(tree).toContain("@chatlog/server@");
    expect(tree).not.toMatch(/invalid|UNMET/);
  });

  it("carries the migrations: @chatlog/schema, as the driver resolves it, finds its own copy, equal to drizzle/", async () => {
    const driver = join(consumer.dir, "node_modules", "@chatlog", "better-sqlite3");
    const { stdout } = await node(
      [
        "--input-type=module",
        "-e",
        'import { migrationsFolder } from "@chatlog/schema"; console.log(migrationsFolder);',
      ],
      driver,
    );
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
  it("an ESM script on @chatlog/better-sqlite3 and @chatlog/ai-sdk: migrate, append, replay, history, UIMessages", async () => {
    const { stdout } = await node(["drivers.mjs", consumer.dir, "better-sqlite3"]);
    expect(JSON.parse(stdout)).toEqual({ "better-sqlite3": DRIVER_REPORT });
  });

  it("a CommonJS consumer works through require(esm) on this Node", async () => {
    expect(process.versions.node.split(".").map(Number)).toSatisfy(
      ([major, minor]: number[]) => major! > 22 || (major === 22 && minor! >= 12),
    );
    const { stdout } = await node(["require.cjs"]);
    expect(JSON.parse(stdout)).toEqual({ saveUIMessage: "function", betterSqlite3: "function" });
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

describe("what a developer adds: TypeScript, the libSQL driver, the conformance suite", () => {
  beforeAll(async () => {
    const seconds = await npmInstall(consumer, ["--save-dev", ...developerInstall()]);
    console.log(`npm install --save-dev ${developerInstall().join(" ")}: ${seconds.toFixed(1)} s`);
  }, 900_000);

  it("tsc --noEmit --strict passes on a consumer of the public types (shipped .d.ts checked too)", async () => {
    const tsc = join(consumer.dir, "node_modules", "typescript", "bin", "tsc");
    const result = await node([tsc, "--noEmit", "--strict", "-p", "tsconfig.json"]).catch(
      (error: Error) => error,
    );
    expect(result instanceof Error ? result.message : "").toBe("");
  });

  it("the ESM script on both drivers", async () => {
    const { stdout } = await node(["drivers.mjs", consumer.dir, "better-sqlite3", "libsql"]);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    // The better-sqlite3 file already holds the first run's events; libsql's is new.
    expect(report.libsql).toEqual(DRIVER_REPORT);
  });

  it("the ESM script on @chatlog/postgres, installed by name, against a real Postgres server", async () => {
    const server = await sharedTestServerUrl();
    const database = await createTestDatabase(server);
    try {
      const { stdout } = await run(process.execPath, ["drivers.mjs", consumer.dir, "postgres"], {
        cwd: consumer.dir,
        env: { ...consumer.env, CHATLOG_INSTALL_POSTGRES_URL: database.url },
      });
      const report = JSON.parse(stdout) as Record<string, unknown>;
      expect(report.postgres).toEqual(DRIVER_REPORT);
    } finally {
      await database.drop();
    }
  });

  it("@chatlog/conformance runs from the installed package against a driver outside the repository (the README example)", async () => {
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

/** The file paths an exports map points at: its string leaves (subpath keys such as "./postgres" are not files). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (exports === null || typeof exports !== "object") return [];
  return Object.values(exports).flatMap(exportTargets);
}
