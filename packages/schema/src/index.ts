import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export * from "./tables.ts";

/**
 * The drizzle-kit migrations every driver's migrator reads. The top-level drizzle/ of the
 * repository is the one drizzle-kit writes; the package build copies it into the package
 * (packages/schema/drizzle, shipped in the tarball). The built module (dist/index.js, what an
 * installed package runs) reads that copy, beside dist/. The sources (src/index.ts, what the
 * workspace's tests and tsx run) read the repository's folder itself, so a migration just
 * generated is used without a rebuild; outside the repository they fall back to the copy.
 */
function findMigrationsFolder(): string {
  const packaged = fileURLToPath(new URL("../drizzle", import.meta.url));
  if (!import.meta.url.endsWith(".ts")) return packaged;
  const repository = fileURLToPath(new URL("../../../drizzle", import.meta.url));
  return existsSync(`${repository}/meta/_journal.json`) ? repository : packaged;
}

export const migrationsFolder = findMigrationsFolder();
