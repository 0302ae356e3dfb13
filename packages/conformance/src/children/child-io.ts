import { pathToFileURL } from "node:url";
import type { ChatRepository, RepositoryOptions } from "@chatlog/core";

/**
 * Shared plumbing of the child scripts the multi-process cases spawn. A child gets one JSON
 * argument (driver, driver entry, database file, and its own parameters), reports on stdout one
 * line at a time, and never calls process.exit: ending by itself is part of what is tested.
 */
export interface ChildArgs {
  driver: "better-sqlite3" | "libsql" | "postgres";
  entry: string;
  /** The database file, or a Postgres URL. */
  file: string;
  /** A remote database (libsql over HTTP): opened by URL, the file is only the server's. */
  url?: string;
  authToken?: string;
}

export function readArgs<T>(): ChildArgs & T {
  const text = process.argv[2];
  if (text === undefined) throw new Error("usage: <child script> '<json argument>'");
  return JSON.parse(text) as ChildArgs & T;
}

type Open = (options: Record<string, unknown>) => Promise<ChatRepository>;

/** Opens the driver under test on the file the parent created and migrated. */
export async function openRepository(
  args: ChildArgs,
  options: RepositoryOptions = {},
): Promise<ChatRepository> {
  const driver = (await import(pathToFileURL(args.entry).href)) as { openChatRepository: Open };
  const location =
    args.url !== undefined
      ? { url: args.url, ...(args.authToken === undefined ? {} : { authToken: args.authToken }) }
      : args.driver === "libsql"
        ? { url: `file:${args.file}` }
        : args.driver === "postgres"
          ? { connectionString: args.file }
          : { path: args.file };
  return driver.openChatRepository({ ...options, ...location });
}

export function report(value: unknown): void {
  process.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value)}\n`);
}

/**
 * Prints "ready" and resolves when the parent writes "go": every child opens its connection
 * first, then all start writing at the same moment, so their writes really overlap.
 */
export function readyThenWaitForGo(): Promise<void> {
  report("ready");
  return new Promise((resolve) => {
    let buffered = "";
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      if (!buffered.split("\n").includes("go")) return;
      process.stdin.off("data", onData);
      // Stop reading stdin, or the open pipe would keep the child alive after its work is done.
      process.stdin.pause();
      process.stdin.unref?.();
      resolve();
    };
    process.stdin.on("data", onData);
  });
}

export function errorText(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return `${code === undefined ? "" : `[${String(code)}] `}${error instanceof Error ? error.message : String(error)}`;
}
