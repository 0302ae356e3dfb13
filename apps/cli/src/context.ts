import { resolve } from "node:path";
import { invocationDir } from "@chatlog/connect";

/** What a command reads from its surroundings; built once in main so commands stay testable. */
export interface CliContext {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** The directory relative paths (--db, -o, import files) are resolved against. */
  baseDir: string;
}

/** The folder the user typed the command in (@chatlog/connect's one rule for pnpm scripts). */
export function baseDirOf(env: NodeJS.ProcessEnv, cwd: string): string {
  return invocationDir(env, cwd);
}

export function resolvePath(context: CliContext, path: string): string {
  return resolve(context.baseDir, path);
}

export function defaultContext(): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    baseDir: baseDirOf(process.env, process.cwd()),
  };
}
