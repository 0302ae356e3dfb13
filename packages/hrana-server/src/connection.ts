import { setTimeout as sleep } from "node:timers/promises";
import Database from "libsql";
import {
  type DescribeResult,
  encodeValue,
  type ProtoError,
  type SqlValue,
  type StmtResult,
} from "./proto.ts";

/** A statement with its SQL text resolved and its arguments decoded. */
export interface ResolvedStmt {
  sql: string;
  args: SqlValue[] | Record<string, SqlValue>;
  wantRows: boolean;
}

/** A statement that SQLite refused: the error the client is told, and whether it was a lock wait. */
export class StmtFailure extends Error {
  constructor(
    readonly error: ProtoError,
    readonly busy: boolean,
  ) {
    super(error.message);
  }
}

type Prepared = ReturnType<Database.Database["prepare"]>;

const STATEMENT_CACHE = 256;
/** SQLITE_BUSY_SNAPSHOT: the transaction's snapshot is stale; waiting cannot help. */
const BUSY_SNAPSHOT = 517;

/**
 * One SQLite connection on libSQL's native binding, as one Hrana stream uses it. The binding is
 * synchronous, so SQLite's own busy wait would freeze the whole server (and with it the stream
 * holding the lock); this connection runs with busy_timeout 0 and waits for a lock
 * asynchronously instead, as sqld does, so other streams keep being served meanwhile.
 */
export class Connection {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Prepared>();
  private readonly changes: Prepared;

  constructor(
    file: string,
    private readonly busyTimeoutMs: number,
  ) {
    this.db = new Database(file);
    this.db.exec("PRAGMA busy_timeout = 0");
    // sqld's default durability ("relaxed") is synchronous=NORMAL on its WAL database.
    this.db.exec("PRAGMA synchronous = NORMAL");
    this.changes = this.db.prepare("SELECT changes(), last_insert_rowid()").raw(true).safeIntegers(true);
  }

  get isAutocommit(): boolean {
    return !this.db.inTransaction;
  }

  async execute(stmt: ResolvedStmt): Promise<StmtResult> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 25)) {
      try {
        return this.executeOnce(stmt);
      } catch (error) {
        const failure = toFailure(error);
        if (!failure.busy || Date.now() >= deadline) throw failure;
        await sleep(wait);
      }
    }
  }

  /** Runs several statements separated by semicolons, with no results (the `sequence` request). */
  sequence(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (error) {
      throw toFailure(error);
    }
  }

  describe(sql: string): DescribeResult {
    let prepared: Prepared;
    try {
      prepared = this.prepare(sql);
    } catch (error) {
      throw toFailure(error);
    }
    const cols = prepared.reader
      ? prepared.columns().map((c) => ({ name: c.name, decltype: c.type ?? null }))
      : [];
    return {
      params: parameterNames(sql).map((name) => ({ name })),
      cols,
      is_explain: /^\s*EXPLAIN\b/i.test(sql),
      is_readonly: isReadonly(sql),
    };
  }

  /** Rolls back whatever transaction a closed or expired stream left open. */
  rollback(): void {
    if (this.db.inTransaction) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // The transaction may already have been rolled back by SQLite itself.
      }
    }
  }

  close(): void {
    this.rollback();
    this.db.close();
  }

  private executeOnce(stmt: ResolvedStmt): StmtResult {
    const prepared = this.prepare(stmt.sql);
    if (!prepared.reader) {
      const info = prepared.run(stmt.args);
      return {
        cols: [],
        rows: [],
        affected_row_count: Number(info.changes),
        last_insert_rowid: String(info.lastInsertRowid),
      };
    }
    const rows = prepared.all(stmt.args) as unknown[][];
    let affected = 0;
    let lastRowid: string | null = null;
    if (!isReadonly(stmt.sql)) {
      // INSERT/UPDATE/DELETE ... RETURNING: what sqlite3_changes() says, as sqld reports it.
      const [row] = this.changes.all([]) as unknown[][];
      affected = Number(row?.[0] ?? 0);
      lastRowid = String(row?.[1] ?? "0");
    }
    return {
      cols: prepared.columns().map((c) => ({ name: c.name, decltype: c.type ?? null })),
      rows: stmt.wantRows ? rows.map((row) => row.map(encodeValue)) : [],
      affected_row_count: affected,
      last_insert_rowid: lastRowid,
    };
  }

  private prepare(sql: string): Prepared {
    const cached = this.cache.get(sql);
    if (cached !== undefined) {
      // Most recently used last: the first key is the one to evict.
      this.cache.delete(sql);
      this.cache.set(sql, cached);
      return cached;
    }
    const prepared = this.db.prepare(sql);
    if (prepared.reader) prepared.raw(true).safeIntegers(true);
    this.cache.set(sql, prepared);
    if (this.cache.size > STATEMENT_CACHE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return prepared;
  }
}

/** sqld's codes: the primary SQLite result code by name, "SQL_PARSE_ERROR" for syntax errors. */
function toFailure(error: unknown): StmtFailure {
  if (error instanceof StmtFailure) return error;
  const e = error as { code?: unknown; rawCode?: unknown; message?: unknown };
  const message = String(e?.message ?? error);
  const code = typeof e?.code === "string" ? e.code : "SQLITE_ERROR";
  const raw = typeof e?.rawCode === "number" ? e.rawCode : -1;
  if (/syntax error|incomplete input|unrecognized token/i.test(message)) {
    return new StmtFailure(
      { message: `SQL string could not be parsed: ${message}`, code: "SQL_PARSE_ERROR" },
      false,
    );
  }
  const primary = code.startsWith("SQLITE_") ? code.replace(/^(SQLITE_[A-Z]+?)(_[A-Z_]+)?$/, "$1") : code;
  const busy = (primary === "SQLITE_BUSY" || primary === "SQLITE_LOCKED") && raw !== BUSY_SNAPSHOT;
  return new StmtFailure({ message: `SQLite error: ${message}`, code: primary }, busy);
}

function isReadonly(sql: string): boolean {
  const head = sql.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, "");
  if (/^(SELECT|VALUES|EXPLAIN)\b/i.test(head)) return true;
  if (/^WITH\b/i.test(head)) return !/\b(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(head);
  return false;
}

/** The parameters of a statement in order, found outside string literals (for `describe`). */
export function parameterNames(sql: string): (string | null)[] {
  const names: (string | null)[] = [];
  const outsideStrings = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, "''");
  for (const match of outsideStrings.matchAll(/\?(\d*)|([:@$][A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.push(match[2] ?? (match[1] ? `?${match[1]}` : null));
  }
  return names;
}
