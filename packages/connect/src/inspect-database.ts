import type { SchemaState } from "@chatlog/core";
import type { DatabaseTarget } from "./database-target.ts";

/**
 * What the target's database holds before chatlog opens it, as its dialect reads it (each driver
 * package has its own inspectSchema): null where it cannot be read beforehand (a remote libSQL
 * server, :memory:, an unreachable server). The driver is loaded on first use, as in openDatabase.
 */
export async function inspectDatabase(target: DatabaseTarget): Promise<SchemaState | null> {
  if (target.driver === "postgres") {
    const { inspectSchema } = await import("@chatlog/postgres");
    return inspectSchema(target.url);
  }
  if (target.file === null) return null;
  // A local file reads the same through either SQLite driver; better-sqlite3's is read-only.
  const { inspectSchema } = await import("@chatlog/better-sqlite3");
  return inspectSchema(target.file);
}
