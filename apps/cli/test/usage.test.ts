import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatlog, tempDir } from "./run-cli.ts";

const COMMANDS: [string, string[]][] = [
  "migrate",
  "list",
  "show",
  "export",
  "import",
  "prune",
  "saved save",
  "saved list",
  "saved load",
  "saved delete",
  "stats",
  "delete",
  "vacuum",
].map((name) => [name, name.split(" ")]);

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe("help and usage errors", () => {
  it("prints the command list for --help, -h and help, on stdout, exit 0", async () => {
    for (const flag of ["--help", "-h", "help"]) {
      const run = await chatlog([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: chatlog <command>/);
      for (const [name] of COMMANDS) expect(run.stdout).toContain(`  ${name}`);
      expect(run.stderr).toBe("");
    }
  });

  it.each(COMMANDS)("%s --help prints that command's usage and touches no database", async (_name, words) => {
    const db = join(dir, "never.db");
    const run = await chatlog([...words, "--help", "--db", db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: chatlog ${words.join(" ")}`));
    expect(run.stdout).toContain("--db <path-or-url>");
    expect(existsSync(db)).toBe(false);
  });

  it("help <command> prints that command's usage; help <unknown> is a usage error", async () => {
    const show = await chatlog(["help", "show"]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^Usage: chatlog show <conversationId>/);
    const load = await chatlog(["help", "saved", "load"]);
    expect(load.stdout).toMatch(/^Usage: chatlog saved load <savedId>/);
    const unknown = await chatlog(["help", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'nope'");
  });

  it("ignores the `--` separator pnpm passes through", async () => {
    const run = await chatlog(["--", "list", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: chatlog list/);
  });

  it("saved --help lists the subcommands", async () => {
    const run = await chatlog(["saved", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("chatlog saved save <conversationId>");
    expect(run.stdout).toContain("chatlog saved load <savedId>");
  });

  it("no command: usage on stderr, exit 2", async () => {
    const run = await chatlog([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("missing command");
    expect(run.stderr).toContain("Usage: chatlog <command>");
  });

  it("an unknown command fails with usage on stderr, exit 2", async () => {
    const run = await chatlog(["frobnicate", "--db", join(dir, "x.db")]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("unknown command 'frobnicate'");
    expect(run.stderr).toContain("Usage: chatlog <command>");
    expect(existsSync(join(dir, "x.db"))).toBe(false);
  });

  it("an unknown or missing saved subcommand fails with the saved usage", async () => {
    for (const args of [["saved"], ["saved", "rename", "x"]]) {
      const run = await chatlog(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("Usage: chatlog saved <save|list|load|delete>");
    }
  });

  it.each(COMMANDS)("%s rejects an unknown option with its usage, exit 2", async (_name, words) => {
    const db = join(dir, "never.db");
    const run = await chatlog([...words, "--no-such-option", "--db", db]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("--no-such-option");
    expect(run.stderr).toContain(`Usage: chatlog ${words.join(" ")}`);
    expect(existsSync(db)).toBe(false);
  });

  it("missing or extra positionals, a missing option value and a bad number are usage errors", async () => {
    const cases: [string[], string][] = [
      [["show"], "missing <conversationId>"],
      [["show", "a", "b"], "unexpected argument 'b'"],
      [["import"], "missing <file>"],
      [["saved", "load"], "missing <savedId>"],
      [["list", "extra"], "unexpected argument 'extra'"],
      [["list", "--limit"], "--limit"],
      [["list", "--limit", "ten"], "--limit must be a number"],
      [["list", "--limit", "0"], "--limit must be an integer >= 1"],
      [["prune", "--max-sessions", "1.5"], "--max-sessions must be an integer"],
      [["prune"], "give at least one policy"],
    ];
    for (const [args, message] of cases) {
      const run = await chatlog([...args, "--db", join(dir, "never.db")]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toContain(message);
      expect(run.stderr, args.join(" ")).toContain("Usage: chatlog");
    }
    expect(existsSync(join(dir, "never.db"))).toBe(false);
  });
});
