import { ChatlogError } from "@chatlog/core";
import { postgresMigrationsFolder } from "@chatlog/schema";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";
import { classifyPostgresError } from "./postgres-errors.ts";

/** The advisory lock every chatlog process takes to migrate one database (any fixed number). */
const MIGRATION_LOCK = 7_261_044_823;

/**
 * Runs drizzle's migrator for Postgres, one process at a time: drizzle reads the journal and
 * then applies what is missing, so two processes opening one new database together would both
 * create the tables, and one would fail. A session-level advisory lock, held on the migrating
 * connection, makes the second wait and then find nothing left to apply.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: postgresMigrationsFolder });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch((e: Error) => {
        broken = e;
      });
    }
  } catch (error) {
    if (classifyPostgresError(error) === "unavailable") throw error;
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
    throw new ChatlogError("MIGRATION_FAILED", `migration failed: ${message}`, { cause: error });
  } finally {
    client.release(broken);
  }
}
