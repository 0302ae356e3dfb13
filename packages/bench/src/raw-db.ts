import { uuidv7 } from "@chatlog/core";
import type { SqlValue, Statement } from "@chatlog/engine";
import { SQL } from "@chatlog/sqlite";
import Database from "better-sqlite3";

/**
 * The baseline: plain better-sqlite3 on a file the library migrated, with the pragmas the
 * library sets (WAL, synchronous=NORMAL), running the library's own SQL text (SQL from
 * @chatlog/sqlite), each statement prepared once. What it skips is exactly the library's own
 * work: validation, encoding and decoding, the write queue, the driver's promise layer.
 */
export class RawDb {
  readonly db: Database.Database;
  private readonly prepared = new Map<Statement, Database.Statement>();

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
  }

  stmt(statement: Statement): Database.Statement {
    let prepared = this.prepared.get(statement);
    if (prepared === undefined) {
      prepared = this.db.prepare(statement.sql);
      this.prepared.set(statement, prepared);
    }
    return prepared;
  }

  /** SQL.append as one autocommit statement; `.all()`, as the driver does, so the WAL checkpoints. */
  append(row: RawRow): number {
    const rows = this.stmt(SQL.append).all(row) as { seq: number }[];
    return rows[0]?.seq ?? 0;
  }

  close(): void {
    this.db.close();
  }
}

export type RawRow = Record<string, SqlValue>;

/**
 * A chat_events row built by hand, as code without the library would build it: a UUID v7 id, the
 * timestamps, extra as JSON. No validation step: that is part of what the library's cost buys.
 */
export function rawRow(
  conversationId: string,
  type: string,
  role: string | null,
  content: string | null,
  extra: Record<string, string>,
  now: number = Date.now(),
): RawRow {
  return {
    id: uuidv7(now),
    conversation_id: conversationId,
    schema_version: 1,
    type,
    role,
    content,
    content_format: content === null ? null : "text",
    tool_calls: null,
    usage: null,
    token_count: null,
    provider: null,
    model: null,
    stop_reason: null,
    created_at: new Date(now).toISOString(),
    created_at_unix: Math.floor(now / 1000),
    created_at_ms: now,
    extra: JSON.stringify(extra),
    raw: null,
    // The administrator's (unscoped) statements: no ownership condition applies.
    owner_id: null,
  };
}

/**
 * Writes many rows in one transaction: the fast way to build large fixtures. The triggers the
 * schema installs keep chat_conversations right for these rows as for the library's.
 */
export function bulkInsert(raw: RawDb, rows: Iterable<RawRow>): void {
  const insert = raw.stmt(SQL.append);
  raw.db.transaction(() => {
    for (const row of rows) insert.all(row);
  })();
}
