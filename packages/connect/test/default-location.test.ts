import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultDatabaseFile, invocationDir, projectRoot, resolveDatabaseTarget } from "../src/index.ts";

let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "chatlog-ws-")));
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - apps/*\n");
  mkdirSync(join(root, "apps", "server", "src"), { recursive: true });
  mkdirSync(join(root, "apps", "cli"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("the default database location", () => {
  it("is data/chatlog.db at the workspace root, from whichever folder or script an app starts", () => {
    const expected = join(root, "data", "chatlog.db");
    // `pnpm start` (root script), `pnpm --filter @chatlog/server start`, `pnpm chatlog`,
    // and the server or CLI run by hand from inside a package folder.
    const starts: [Record<string, string>, string][] = [
      [{ INIT_CWD: root, npm_lifecycle_event: "start" }, root],
      [{ INIT_CWD: root, npm_lifecycle_event: "start" }, join(root, "apps", "server")],
      [{ INIT_CWD: join(root, "apps", "cli"), npm_lifecycle_event: "chatlog" }, root],
      [{}, join(root, "apps", "server", "src")],
      [{}, root],
    ];
    for (const [env, cwd] of starts) {
      expect(defaultDatabaseFile(env, cwd)).toBe(expected);
      expect(resolveDatabaseTarget({ env, baseDir: invocationDir(env, cwd) }).file).toBe(expected);
    }
  });

  it("finds npm/yarn workspaces too, and falls back to the folder itself outside any workspace", () => {
    const npmRoot = join(root, "npm-ws");
    mkdirSync(join(npmRoot, "packages", "a"), { recursive: true });
    writeFileSync(join(npmRoot, "package.json"), JSON.stringify({ workspaces: ["packages/*"] }));
    // The nearest enclosing root wins.
    expect(projectRoot(join(npmRoot, "packages", "a"))).toBe(npmRoot);
    const outside = realpathSync(mkdtempSync(join(tmpdir(), "chatlog-plain-")));
    try {
      expect(defaultDatabaseFile({}, outside)).toBe(join(outside, "data", "chatlog.db"));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("CHATLOG_DATA_DIR moves it (relative to the invocation folder); other files share the folder", () => {
    expect(defaultDatabaseFile({ CHATLOG_DATA_DIR: "/var/lib/chatlog" }, root)).toBe(
      "/var/lib/chatlog/chatlog.db",
    );
    expect(defaultDatabaseFile({ CHATLOG_DATA_DIR: "state" }, join(root, "apps", "server"))).toBe(
      join(root, "apps", "server", "state", "chatlog.db"),
    );
    expect(defaultDatabaseFile({}, root, "example.db")).toBe(join(root, "data", "example.db"));
  });

  it("trusts INIT_CWD only inside chatlog's own entry scripts", () => {
    const elsewhere = "/somewhere/else";
    expect(invocationDir({ INIT_CWD: elsewhere, npm_lifecycle_event: "chatlog" }, root)).toBe(elsewhere);
    // Leaked into a test run's child process: ignored.
    expect(invocationDir({ INIT_CWD: elsewhere, npm_lifecycle_event: "test" }, root)).toBe(root);
    expect(invocationDir({ INIT_CWD: "relative", npm_lifecycle_event: "start" }, root)).toBe(root);
  });

  it("explicit relative paths stay relative to the invocation folder", () => {
    const env = { INIT_CWD: root, npm_lifecycle_event: "start" };
    const target = resolveDatabaseTarget({
      url: "file:./mine.db",
      env,
      baseDir: invocationDir(env, join(root, "apps", "server")),
    });
    expect(target.file).toBe(join(root, "mine.db"));
  });
});
