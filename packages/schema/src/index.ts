import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export * from "./tables.ts";

/**
 * The drizzle-kit migrations a driver's migrator reads, one folder per dialect. The top-level
 * drizzle/ (SQLite) and drizzle-postgres/ of the repository are the ones drizzle-kit writes; the
 * package build copies them into the package (packages/schema/drizzle and drizzle-postgres,
 * shipped in the tarball). The built module (dist/index.js, what an
 * installed package runs) reads that copy, beside dist/. The sources (src/index.ts, what the
 * workspace's tests and tsx run) read the repository's folder itself, so a migration just
 * generated is used without a rebuild; outside the repository they fall back to the copy.
 */
function findMigrationsFolder(folder: string): string {
  const packaged = fileURLToPath(new URL(`../${folder}`, import.meta.url));
  if (!import.meta.url.endsWith(".ts")) return packaged;
  const repository = fileURLToPath(new URL(`../../../${folder}`, import.meta.url));
  return existsSync(`${repository}/meta/_journal.json`) ? repository : packaged;
}

/** SQLite's migrations (drizzle/), for the better-sqlite3 and libSQL drivers. */
export const migrationsFolder = findMigrationsFolder("drizzle");

/** Postgres's migrations (drizzle-postgres/, generated from pg-tables.ts), for @chatlog/postgres. */
export const postgresMigrationsFolder = findMigrationsFolder("drizzle-postgres");

/** How many migrations a migrations folder holds (its drizzle-kit journal's entries). */
export function shippedMigrations(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}
