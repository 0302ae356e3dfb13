import { existsSync } from "node:fs";
import type { SchemaState } from "@chatlog/core";
import { migrationsFolder, shippedMigrations } from "@chatlog/schema";
import Database from "better-sqlite3";

/**
 * A SQLite file's schema, read read-only before anything migrates it (a file that does not
 * exist is not created). Null when the file cannot be read as a database: opening it reports
 * that, naming the file and the cause.
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
      return { kind: "chatlog", applied: row.n, shipped: shippedMigrations(migrationsFolder) };
    }
    return tables.has("chat_events") ? { kind: "legacy" } : { kind: "empty" };
  } catch {
    return null;
  } finally {
    db?.close();
  }
}
