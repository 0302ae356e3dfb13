import type { EngineChatRepository } from "@chatlog/engine";
import { createTestDatabase, type TestDatabase } from "@chatlog/pg-test-cluster";
import { openChatRepository } from "@chatlog/postgres";
import type pg from "pg";
import { benchPool } from "./bench-pool.ts";
import { RAW_TYPES } from "./raw-pg.ts";

const POOL = 8;

/** The library and a raw connection on one new database, as every Postgres line uses them. */
export interface Opened {
  repo: EngineChatRepository;
  /** One held client of `pool`: the raw baseline's connection. */
  raw: pg.PoolClient;
  pool: pg.Pool;
}

/**
 * New databases on one cluster, each with the library (`openChatRepository({ connectionString })`,
 * its default pool) and a raw node-postgres pool; everything is closed and dropped by dispose().
 */
export class BenchDatabases {
  private readonly databases: TestDatabase[] = [];
  private readonly opened: Opened[] = [];

  constructor(private readonly serverUrl: string) {}

  async fresh(): Promise<TestDatabase> {
    const database = await createTestDatabase(this.serverUrl);
    this.databases.push(database);
    return database;
  }

  async open(): Promise<Opened> {
    const database = await this.fresh();
    const repo = await openChatRepository({ connectionString: database.url });
    const pool = benchPool({ connectionString: database.url, max: POOL, types: RAW_TYPES });
    const opened = { repo, pool, raw: await pool.connect() };
    this.opened.push(opened);
    return opened;
  }

  async dispose(): Promise<void> {
    for (const { repo, raw, pool } of this.opened) {
      raw.release();
      await repo.close().catch(() => {});
      await pool.end().catch(() => {});
    }
    for (const database of this.databases) await database.drop().catch(() => {});
  }
}
