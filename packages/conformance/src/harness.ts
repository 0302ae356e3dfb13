import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RepositoryOptions } from "@chatlog/core";
import type { EngineChatRepository } from "@chatlog/engine";
import { rawFile } from "./raw.ts";

export type Row = Record<string, unknown>;

/**
 * Direct SQL access to the database under test, used to check what was stored independently
 * of the repository (a repository cannot agree with itself while storing the wrong thing).
 * For files it is a separate better-sqlite3 connection; for :memory: the repository's own client.
 */
export interface RawDb {
  all(sql: string, ...params: unknown[]): Promise<Row[]>;
  run(sql: string, ...params: unknown[]): Promise<void>;
}

export interface Opened {
  repo: EngineChatRepository;
  raw: RawDb;
  /** Where the database is: its file, a Postgres URL, or null for :memory:. */
  file: string | null;
  /** Closes the repository (if still open) and the raw connection. */
  dispose(): Promise<void>;
}

export interface BlankDatabase {
  location: string;
  /** A raw connection to it (once something has created it). */
  raw(): RawDb & { close(): unknown };
  remove(): Promise<void>;
}

/** One driver configuration the conformance suite runs against. */
export interface DriverHarness {
  /** e.g. "better-sqlite3 file". */
  name: string;
  /** Which package: decides how child processes open the database. */
  driver: "better-sqlite3" | "libsql" | "postgres";
  /**
   * The SQL dialect of the database (absent: "sqlite"). Raw checks are written per dialect where
   * they read the catalog (SQLite's pragmas, Postgres's information_schema); cases about files
   * (journal mode, a file that is not a database) run on SQLite only.
   */
  dialect?: "sqlite" | "postgres";
  /** Absolute path of the driver package's entry (src/index.ts), for child processes. */
  entry: string;
  /**
   * Whether databases outlive a connection and can be reopened by location (a file, a Postgres
   * URL): multi-process and restart cases need one.
   */
  file: boolean;
  /**
   * Remote configurations: how another process reaches the database whose file is `file` (the
   * server's URL and token). Child processes then open that URL instead of the file.
   */
  remoteOf?(file: string): { url: string; authToken?: string };
  /**
   * Remote configurations: starts serving `file` (which may not exist yet) so that remoteOf
   * reaches it, without opening a repository on it; resolves to the function that stops it.
   */
  serve?(file: string): Promise<() => Promise<void>>;
  /**
   * Where a brand-new database no process has opened yet can be made (default: a file in a new
   * temp folder; Postgres: a new empty database), with raw access to it and its removal.
   */
  blank?(): Promise<BlankDatabase>;
  /** Opens a repository on a brand-new database. */
  create(options?: RepositoryOptions): Promise<Opened>;
  /** File (and server) configurations: opens another repository on an existing database (a restart). */
  reopen(file: string, options?: RepositoryOptions): Promise<Opened>;
}

/** A fresh directory per test; removed by the returned function. */
export function tempDir(prefix = "chatlog-test-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A harness for a file configuration: each create() gets a new file in its own temp dir, and
 * `raw` is a separate better-sqlite3 connection to it.
 */
export function fileHarness(config: {
  name: string;
  driver: DriverHarness["driver"];
  entry: string;
  open: (file: string, options: RepositoryOptions) => Promise<EngineChatRepository>;
}): DriverHarness {
  async function openFile(file: string, options: RepositoryOptions = {}, remove = () => {}): Promise<Opened> {
    const repo = await config.open(file, options);
    const raw = rawFile(file);
    return {
      repo,
      raw,
      file,
      async dispose() {
        await repo.close();
        raw.close();
        remove();
      },
    };
  }
  return {
    name: config.name,
    driver: config.driver,
    entry: config.entry,
    file: true,
    create(options) {
      const tmp = tempDir();
      return openFile(join(tmp.dir, "chat.db"), options, tmp.remove);
    },
    reopen: (file, options) => openFile(file, options),
  };
}

/** A new file location in its own temp folder: the blank database of file configurations. */
export function blankFile(): BlankDatabase {
  const tmp = tempDir();
  const location = join(tmp.dir, "fresh.db");
  return { location, raw: () => rawFile(location), remove: async () => tmp.remove() };
}

/** Whether the harness's database is Postgres (raw SQL and catalog checks differ). */
export function isPostgres(h: DriverHarness): boolean {
  return h.dialect === "postgres";
}
