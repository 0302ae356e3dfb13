import Database from "better-sqlite3";

type Row = Record<string, unknown>;

/**
 * Reads the database file directly with its own connection, independent of the server's
 * repository, so a check cannot pass just because the repository agrees with itself.
 */
export function rawQuery(file: string, sql: string, ...params: unknown[]): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as Row[];
  } finally {
    db.close();
  }
}

export function countRows(file: string, where = "1 = 1", ...params: unknown[]): number {
  return Number(rawQuery(file, `SELECT COUNT(*) AS n FROM chat_events WHERE ${where}`, ...params)[0]?.n);
}

/**
 * Direct access to a test server's database, whatever it is (a SQLite file, a Postgres
 * database): `?` placeholders, rows as plain objects (json as its text, integers as numbers).
 */
export interface RawDatabase {
  query(sql: string, ...params: unknown[]): Promise<Row[]>;
  countRows(where?: string, ...params: unknown[]): Promise<number>;
}

export function fileDatabase(file: string): RawDatabase {
  return {
    query: async (sql, ...params) => rawQuery(file, sql, ...params),
    countRows: async (where, ...params) => countRows(file, where, ...params),
  };
}
