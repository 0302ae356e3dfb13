import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, it } from "vitest";
import { CLI_DIR, cleanEnv, REPO_ROOT } from "./run-cli.ts";

let dir: string;
let script: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chatlog-readme-"));
  // Beside this package, so that "@chatlog/better-sqlite3" resolves as it would in an app.
  script = join(CLI_DIR, "test", `.readme-snippet-${process.pid}-${Date.now()}.ts`);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(script, { force: true });
});

/** The TypeScript block of the root README's "Use it" section, exactly as written. */
function useItSnippet(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use it"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error("no ts block in the README's Use it section");
  return match[1];
}

it("the README's Use it snippet runs as written, and a retry finds the stored reply", async () => {
  writeFileSync(script, useItSnippet());
  const run = () =>
    promisify(execFile)(process.execPath, ["--import", import.meta.resolve("tsx"), script], {
      cwd: dir,
      env: cleanEnv(),
    });
  const first = await run();
  expect(first.stdout).toBe("Hi! (2 messages sent to the model)\n");
  // The second run is a retry of req-1: getExistingAssistantResponse finds the reply stored by
  // the first, so it is printed again without building a new one.
  const second = await run();
  expect(second.stdout).toBe(first.stdout);
});
