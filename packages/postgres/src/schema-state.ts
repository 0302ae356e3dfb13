import type { SchemaState } from "@chatlog/core";
import { postgresMigrationsFolder, shippedMigrations } from "@chatlog/schema";
import pg from "pg";

/**
 * A Postgres database's schema, read from the catalog before anything migrates it: drizzle's
 * journal table (drizzle.__drizzle_migrations), else whether chat_events is there. The
 * application's own tables beside them do not count: chatlog's are what migrating creates.
 * Null when the database cannot be reached: opening it reports that (a missing database, a
 * refused login), with chatlog's error codes.
 */
export async function inspectSchema(connectionString: string): Promise<SchemaState | null> {
  const client = new pg.Client({ connectionString });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch {
    return null;
  }
  try {
    const { rows } = await client.query<{ journal: boolean; events: boolean }>(
      `SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS journal,
         to_regclass('chat_events') IS NOT NULL AS events`,
    );
    const { journal, events } = rows[0]!;
    if (journal) {
      const applied = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations",
      );
      return {
        kind: "chatlog",
        applied: applied.rows[0]!.n,
        shipped: shippedMigrations(postgresMigrationsFolder),
      };
    }
    return events ? { kind: "legacy" } : { kind: "empty" };
  } finally {
    await client.end().catch(() => {});
  }
}
