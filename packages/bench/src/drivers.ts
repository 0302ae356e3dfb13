import { openChatRepository as openBetterSqlite3 } from "@chatlog/better-sqlite3";
import type { RepositoryOptions } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { openChatRepository as openLibsql } from "@chatlog/libsql";

/** A storage driver the benchmark runs the library through. */
export interface DriverUnderTest {
  readonly name: "better-sqlite3" | "libsql";
  /**
   * True when the driver runs on the same engine as the raw baseline, so a ratio near 1 is
   * reachable and the per-call targets apply; libSQL's native binding is a different build of
   * SQLite (about 0.75 of the raw per-call rate on this schema), so its per-call ratios are
   * informative only.
   */
  readonly sameEngineAsBaseline: boolean;
  /** Opens (and migrates) a repository on a database file. */
  open(path: string, options?: RepositoryOptions): Promise<EngineChatRepository>;
}

export const DRIVERS: readonly DriverUnderTest[] = [
  {
    name: "better-sqlite3",
    sameEngineAsBaseline: true,
    open: (path, options) => openBetterSqlite3({ ...options, path }),
  },
  {
    name: "libsql",
    sameEngineAsBaseline: false,
    open: (path, options) => openLibsql({ ...options, url: `file:${path}` }),
  },
];
