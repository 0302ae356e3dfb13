import { isAbsolute, resolve } from "node:path";

/** What a command reads from its surroundings; built once in main so commands stay testable. */
export interface CliContext {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** The directory relative paths (--db, -o, import files) are resolved against. */
  baseDir: string;
}

/**
 * `pnpm chatlog` runs the package script with the package's own folder as cwd; pnpm records the
 * folder the user typed the command in as INIT_CWD. It is trusted only while running as the
 * `chatlog` script, because INIT_CWD also leaks into processes started by any other script
 * (a test run, for one), where it would point somewhere unrelated.
 */
export function baseDirOf(env: NodeJS.ProcessEnv, cwd: string): string {
  const init = env.INIT_CWD;
  if (init && isAbsolute(init) && env.npm_lifecycle_event === "chatlog") return init;
  return cwd;
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
