import Database from "better-sqlite3";
import type { RawRow } from "./raw-db.ts";

/** The stored columns of chat_events (generated columns aside), in the order chatlog writes them. */
const COLUMNS = [
  "id",
  "conversation_id",
  "seq",
  "schema_version",
  "type",
  "role",
  "content",
  "content_format",
  "tool_calls",
  "usage",
  "token_count",
  "provider",
  "model",
  "stop_reason",
  "created_at",
  "created_at_unix",
  "created_at_ms",
  "extra",
  "raw",
] as const;

/** Columns holding JSON text that a reader has to parse to use. */
const JSON_COLUMNS = ["tool_calls", "usage", "extra", "raw"] as const;

/**
 * The floor: the same columns in a table with a primary key and one (conversation_id, seq)
 * index, nothing else (no triggers, no summaries, no uniqueness beyond the key), in a file of its
 * own with the library's pragmas. Its INSERT takes the seq from the caller and its read parses
 * the JSON columns and nothing more, which is the least any code storing these events must do.
 * Set beside the same-SQL baseline, it shows when the schema or a statement gets heavier.
 */
export class BareDb {
  readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement;
  private readonly insertSummarized: Database.Statement;
  private readonly seqs = new Map<string, number>();

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    const columns = `id TEXT PRIMARY KEY NOT NULL, conversation_id TEXT NOT NULL,
      seq INTEGER NOT NULL, schema_version INTEGER NOT NULL, type TEXT NOT NULL, role TEXT, content TEXT,
      content_format TEXT, tool_calls TEXT, usage TEXT, token_count INTEGER, provider TEXT, model TEXT,
      stop_reason TEXT, created_at TEXT, created_at_unix INTEGER, created_at_ms INTEGER, extra TEXT, raw TEXT`;
    this.db.exec(`CREATE TABLE bare_events (${columns});
      CREATE INDEX bare_conversation_seq ON bare_events (conversation_id, seq);
      CREATE TABLE bare_summarized_events (${columns});
      CREATE INDEX bare_summarized_conversation_seq ON bare_summarized_events (conversation_id, seq);
      CREATE TABLE bare_summaries (conversation_id TEXT PRIMARY KEY NOT NULL, event_count INTEGER NOT NULL,
        last_seq INTEGER NOT NULL, last_activity_ms INTEGER NOT NULL);
      CREATE TRIGGER bare_summarize AFTER INSERT ON bare_summarized_events BEGIN
        INSERT INTO bare_summaries VALUES (NEW.conversation_id, 1, NEW.seq, NEW.created_at_ms)
        ON CONFLICT (conversation_id) DO UPDATE SET event_count = event_count + 1, last_seq = excluded.last_seq,
          last_activity_ms = excluded.last_activity_ms;
      END;`);
    const values = `(${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((c) => `:${c}`).join(", ")})`;
    this.insert = this.db.prepare(`INSERT INTO bare_events ${values}`);
    this.insertSummarized = this.db.prepare(`INSERT INTO bare_summarized_events ${values}`);
    this.select = this.db.prepare("SELECT * FROM bare_events WHERE conversation_id = ? ORDER BY seq");
  }

  /** One autocommit INSERT; the seq is counted here, as code that owns its only writer would. */
  append(row: RawRow): void {
    this.insert.run({ ...row, seq: this.nextSeq(String(row.conversation_id)) });
  }

  /** The seq counted here, as code that owns its only writer would (one count per table). */
  private nextSeq(key: string): number {
    const seq = (this.seqs.get(key) ?? 0) + 1;
    this.seqs.set(key, seq);
    return seq;
  }

  /**
   * One autocommit INSERT into a twin of the bare table whose trigger keeps the least a
   * per-conversation summary can hold (a count, the last seq, the last activity; no index beyond
   * its key) in the same commit: a ceiling for any design that keeps such a summary exact on
   * every append, as a list of conversations by activity needs.
   */
  appendWithSummary(row: RawRow): void {
    const seq = this.nextSeq(`summarized:${String(row.conversation_id)}`);
    this.insertSummarized.run({ ...row, seq });
  }

  /** Many rows in one transaction (fixtures, and the group-commit ceiling). */
  appendAll(rows: Iterable<RawRow>): void {
    this.db.transaction(() => {
      for (const row of rows) this.append(row);
    })();
  }

  /** A whole conversation, oldest first, with its JSON columns parsed. */
  read(conversationId: string): Record<string, unknown>[] {
    const rows = this.select.all(conversationId) as Record<string, unknown>[];
    for (const row of rows) {
      for (const column of JSON_COLUMNS) {
        const text = row[column];
        if (typeof text === "string") row[column] = JSON.parse(text);
      }
      if (row.content_format === "parts" && typeof row.content === "string")
        row.content = JSON.parse(row.content);
    }
    return rows;
  }

  count(prefix: string, table: "bare_events" | "bare_summarized_events" = "bare_events"): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE substr(conversation_id, 1, length(?)) = ?`)
      .get(prefix, prefix) as { n: number };
    return row.n;
  }

  close(): void {
    this.db.close();
  }
}
