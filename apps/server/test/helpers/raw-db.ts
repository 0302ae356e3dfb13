import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

type Row = Record<string, unknown>;

interface Statement {
  all(...params: unknown[]): Row[];
}
interface Database {
  prepare(sql: string): Statement;
  close(): void;
}

// better-sqlite3 is a dependency of the driver package, not of the server: load it from there.
const driverPackage = fileURLToPath(
  new URL("../../../../packages/better-sqlite3/package.json", import.meta.url),
);
const BetterSqlite3 = createRequire(driverPackage)("better-sqlite3") as new (
  file: string,
  options?: { readonly?: boolean },
) => Database;

/**
 * Reads the database file directly with its own connection, independent of the server's
 * repository, so a check cannot pass just because the repository agrees with itself.
 */
export function rawQuery(file: string, sql: string, ...params: unknown[]): Row[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

export function countRows(file: string, where = "1 = 1", ...params: unknown[]): number {
  return Number(rawQuery(file, `SELECT COUNT(*) AS n FROM chat_events WHERE ${where}`, ...params)[0]?.n);
}
