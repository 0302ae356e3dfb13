import type { TestDatabase } from "@chatlog/pg-test-cluster";
import pg from "pg";
import type { RawDatabase } from "./raw-db.ts";

type Row = Record<string, unknown>;

/**
 * Direct access to a Postgres database the server processes share, independent of their
 * repositories (json columns come back as their text, int8 as numbers).
 */
export class PostgresRaw implements RawDatabase {
  private readonly pool: pg.Pool;

  constructor(readonly database: TestDatabase) {
    this.pool = new pg.Pool({
      connectionString: database.url,
      max: 2,
      types: {
        getTypeParser: (oid: number, format?: "text" | "binary") =>
          oid === pg.types.builtins.INT8
            ? Number
            : oid === pg.types.builtins.JSON
              ? (text: string) => text
              : pg.types.getTypeParser(oid, format),
      },
    });
    // Dropping the test database (WITH FORCE) terminates this pool's connections; an idle one
    // then reports "terminating connection due to administrator command" on the pool, which
    // without a listener would be an uncaught exception in the test process.
    this.pool.on("error", () => {});
  }

  /** `?` placeholders, as in the SQLite helpers, become $1, $2, ... */
  async query(sql: string, ...params: unknown[]): Promise<Row[]> {
    let n = 0;
    return (
      await this.pool.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as Row[];
  }

  async countRows(where = "1 = 1", ...params: unknown[]): Promise<number> {
    return Number(
      (await this.query(`SELECT count(*) AS n FROM chat_events WHERE ${where}`, ...params))[0]?.n,
    );
  }

  /** Closes the pool and drops the database. */
  async dispose(): Promise<void> {
    await this.pool.end();
    await this.database.drop();
  }
}
