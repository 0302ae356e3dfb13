import type { Client, InValue } from "@libsql/client";
import Database from "better-sqlite3";
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
