import type { Client, InValue } from "@libsql/client";
import Database from "better-sqlite3";
import pg from "pg";
import type { RawDb, Row } from "./harness.ts";

/** A raw view of a database file through its own better-sqlite3 connection. */
export function rawFile(file: string): RawDb & { close(): void } {
  const db = new Database(file);
  db.pragma("busy_timeout = 5000");
  return {
    async all(sql, ...params) {
      return db.prepare(sql).all(...(params as unknown[])) as Row[];
    },
    async run(sql, ...params) {
      db.prepare(sql).run(...(params as unknown[]));
    },
    close: () => db.close(),
  };
}

export function rawBetterSqlite3(db: Database.Database): RawDb {
  return {
    async all(sql, ...params) {
      return db.prepare(sql).all(...(params as unknown[])) as Row[];
    },
    async run(sql, ...params) {
      db.prepare(sql).run(...(params as unknown[]));
    },
  };
}

export function rawLibsql(client: Client): RawDb {
  return {
    async all(sql, ...params) {
      const result = await client.execute({ sql, args: params as InValue[] });
      return result.rows.map((row) => Object.fromEntries(result.columns.map((c) => [c, row[c]])));
    },
    async run(sql, ...params) {
      await client.execute({ sql, args: params as InValue[] });
    },
  };
}

const PG_TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    // int8 and numeric as numbers, json as its stored text: what SQLite's raw rows give.
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    if (oid === 114 || oid === 3802) return (value: string) => value;
    return pg.types.getTypeParser(oid, format ?? "text");
  },
} as pg.CustomTypesConfig;

/** SQLite's `?` placeholders as Postgres's `$1, $2, ...` (outside quoted text). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"])*"|\?/g, (match) => (match === "?" ? `$${++n}` : match));
}

/** A raw view of a Postgres database through its own connection pool (one connection). */
export function rawPostgres(url: string): RawDb & { close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on("error", () => {});
  const query = async (sql: string, params: unknown[]) =>
    (await pool.query({ text: numberedPlaceholders(sql), values: params, types: PG_TYPES })).rows as Row[];
  return {
    all: (sql, ...params) => query(sql, params),
    async run(sql, ...params) {
      await query(sql, params);
    },
    close: () => pool.end(),
  };
}
