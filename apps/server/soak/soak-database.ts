import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, sharedTestServerUrl } from "@chatlog/pg-test-cluster";
import Database from "better-sqlite3";
import pg from "pg";

/**
 * The database the soak's servers share, and the soak's own direct access to it for checking
 * afterwards: a SQLite file (better-sqlite3 or libSQL servers) or a Postgres database (a
 * throwaway cluster, or the server CHATLOG_TEST_POSTGRES_URL names).
 */
export interface SoakDatabase {
  /** Where the servers are pointed (DATABASE_URL, CHATLOG_DRIVER). */
  readonly env: Record<string, string>;
  /** For messages: the file, or the database's URL. */
  readonly where: string;
  /** Rows of one query; `?` placeholders. */
  all(sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
  /** Installs the recorder of turn rows written after their reply (soak_late_writes). */
  recordLateWrites(): Promise<void>;
  /** A structural check of the storage itself, or null where the engine has none to run here. */
  integrity(): Promise<string | null>;
  /** Removes the database (kept when `keep`, for a look after a failure). */
  dispose(keep: boolean): Promise<void>;
}

export async function openSoakDatabase(driver: string | undefined): Promise<SoakDatabase> {
  return driver === "postgres" ? postgresSoakDatabase() : sqliteSoakDatabase(driver === "libsql");
}

function sqliteSoakDatabase(libsql: boolean): SoakDatabase {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-soak-"));
  const file = join(dir, "soak.db");
  const withDb = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    env: { DATABASE_URL: `file:${file}`, ...(libsql ? { CHATLOG_DRIVER: "libsql" } : {}) },
    where: file,
    all: async (sql, ...params) =>
      withDb((db) => db.prepare(sql).all(...params) as Record<string, unknown>[]),
    async recordLateWrites() {
      withDb((db) =>
        db.exec(`CREATE TABLE IF NOT EXISTS soak_late_writes (conversation_id TEXT, seq INTEGER, type TEXT,
            extra TEXT, created_at_ms INTEGER);
          CREATE TRIGGER IF NOT EXISTS soak_record_late_writes AFTER INSERT ON chat_events
          WHEN NEW.user_request_id IS NOT NULL AND NEW.type IN ('meta', 'tool_call', 'tool_result')
            AND EXISTS (SELECT 1 FROM chat_events r WHERE r.conversation_id = NEW.conversation_id
              AND r.user_request_id = NEW.user_request_id AND r.type = 'assistant_message'
              AND COALESCE(json_extract(r.extra, '$.attempt'), 1) = COALESCE(json_extract(NEW.extra, '$.attempt'), 1))
          BEGIN INSERT INTO soak_late_writes VALUES (NEW.conversation_id, NEW.seq, NEW.type, NEW.extra, NEW.created_at_ms);
          END;`),
      );
    },
    async integrity() {
      const rows = withDb(
        (db) => db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[],
      );
      return rows.map((row) => row.integrity_check).join("; ");
    },
    async dispose(keep) {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresSoakDatabase(): Promise<SoakDatabase> {
  const database = await createTestDatabase(await sharedTestServerUrl());
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // An idle connection the server ends must not crash the soak; the pool opens a new one.
  pool.on("error", (error) => console.log(`soak: an idle connection ended: ${error.message}`));
  const all = async (sql: string, ...params: unknown[]) => {
    let n = 0;
    return (
      await pool.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as Record<string, unknown>[];
  };
  return {
    env: { DATABASE_URL: database.url },
    where: database.url,
    all,
    async recordLateWrites() {
      // The same rule as SQLite's trigger, as a row trigger. Under READ COMMITTED it sees replies
      // committed before the late row's statement began, which is when a stale holder writes.
      await pool.query(`CREATE TABLE IF NOT EXISTS soak_late_writes (conversation_id text, seq bigint, type text,
          extra text, created_at_ms bigint);
        CREATE OR REPLACE FUNCTION soak_record_late_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.user_request_id IS NOT NULL AND NEW.type IN ('meta', 'tool_call', 'tool_result')
            AND EXISTS (SELECT 1 FROM chat_events r WHERE r.conversation_id = NEW.conversation_id
              AND r.user_request_id = NEW.user_request_id AND r.type = 'assistant_message'
              AND COALESCE(r.extra ->> 'attempt', '1') = COALESCE(NEW.extra ->> 'attempt', '1')) THEN
            INSERT INTO soak_late_writes VALUES (NEW.conversation_id, NEW.seq, NEW.type, NEW.extra::text, NEW.created_at_ms);
          END IF;
          RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER soak_record_late_writes AFTER INSERT ON chat_events
          FOR EACH ROW EXECUTE FUNCTION soak_record_late_write();`);
    },
    // Postgres checks its pages as it reads them; a corrupt heap would have failed the queries.
    integrity: async () => null,
    async dispose(keep) {
      await pool.end();
      if (!keep) await database.drop();
    },
  };
}
