import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { migrationsFolder } from "@chatlog/schema";
import Database from "better-sqlite3";

/** What a local database file held before chatlog opened it. */
export type SchemaState =
  | { kind: "absent" }
  /** A file with no tables (for example a zero-byte file). */
  | { kind: "empty" }
  /** The Python system's tables and no chatlog migrations. */
  | { kind: "legacy" }
  | { kind: "chatlog"; applied: number };

/** How many migrations this version of chatlog ships. */
export function shippedMigrations(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/**
 * Reads a local file's schema read-only, before anything migrates it, so `chatlog migrate` can
 * say what it did. A file that is not a database is left for the driver to report (it names
 * the file and the cause).
 */
export function inspectSchema(file: string): SchemaState | null {
  if (!existsSync(file)) return { kind: "absent" };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    if (tables.has("__drizzle_migrations")) {
      const row = db.prepare("SELECT COUNT(*) AS n FROM __drizzle_migrations").get() as { n: number };
      return { kind: "chatlog", applied: row.n };
    }
    return tables.has("chat_events") ? { kind: "legacy" } : { kind: "empty" };
  } catch {
    return null;
  } finally {
    db?.close();
  }
}
