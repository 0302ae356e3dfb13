import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatEvent, JsonObject, JsonValue, ToolCall } from "@chatlog/core";
import { tempDir } from "../harness.ts";
import { repoRoot } from "./child-process.ts";

/**
 * The committed legacy database (fixtures/legacy/python-seed.db, written by the real Python
 * SQLiteRepo) and its rows as dumped by fixtures/python-seed/dump_expected.py with plain
 * sqlite3. Expectations below are derived from those raw column values, never from chatlog's
 * own decoder.
 */
export const legacyDir = join(repoRoot, "fixtures", "legacy");
export const pythonSeedDir = join(repoRoot, "fixtures", "python-seed");
export const PYTHON = "/usr/bin/python3";

export interface LegacyRow {
  id: string;
  conversation_id: string;
  seq: number;
  rowid: number;
  type: string;
  role: string | null;
  content: string | null;
  tool_calls: string | null;
  extra: string | null;
  raw: string | null;
  created_at: string;
  created_at_unix: number | null;
}

export interface LegacyExpected {
  row_count: number;
  duplicated_seq_pairs: Record<string, number>;
  rows: LegacyRow[];
}

export function loadExpected(): LegacyExpected {
  return JSON.parse(readFileSync(join(legacyDir, "expected.json"), "utf8")) as LegacyExpected;
}

/** A private copy of the fixture in a fresh temp dir (the committed file is never opened). */
export function copyFixture(): { file: string; remove: () => void } {
  const tmp = tempDir("chatlog-legacy-");
  const file = join(tmp.dir, "legacy.db");
  copyFileSync(join(legacyDir, "python-seed.db"), file);
  return { file, remove: tmp.remove };
}

/** Whether /usr/bin/python3 can run the seed (Debian's python3-aiosqlite and python3-pydantic). */
export function pythonSeedAvailable(): boolean {
  const probe = spawnSync(PYTHON, ["-c", "import aiosqlite, pydantic"], { stdio: "ignore" });
  return probe.status === 0;
}

/**
 * The seq each row must have after adoption: conversations holding duplicate seqs are
 * renumbered 1..n by (old seq, rowid), i.e. write order; the others keep theirs.
 */
export function expectedSeqs(rows: readonly LegacyRow[]): Map<string, number> {
  const byConversation = new Map<string, LegacyRow[]>();
  for (const row of rows) {
    const list = byConversation.get(row.conversation_id) ?? [];
    list.push(row);
    byConversation.set(row.conversation_id, list);
  }
  const out = new Map<string, number>();
  for (const list of byConversation.values()) {
    const hasDuplicates = new Set(list.map((r) => r.seq)).size !== list.length;
    const ordered = [...list].sort((a, b) => a.seq - b.seq || a.rowid - b.rowid);
    ordered.forEach((row, i) => {
      out.set(row.id, hasDuplicates ? i + 1 : row.seq);
    });
  }
  return out;
}

/**
 * Microseconds since the epoch of the Python system's naive-UTC ISO text
 * ("2026-11-24T09:43:27.146141", or without a fraction on a whole second).
 */
export function naiveUtcMicros(text: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`not a naive ISO timestamp: ${text}`);
  const [, y, mo, d, h, mi, s, frac = ""] = m;
  const seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  return seconds * 1_000_000 + Number(frac.padEnd(6, "0"));
}

/** The content chatlog must return for a legacy row: 'null' was the seed's None. */
export function expectedContent(row: LegacyRow): ChatEvent["content"] {
  if (row.content === null || row.content === "null") return null;
  // The only part arrays the fixture holds are conv-parts' (see make_legacy_db.py); every other
  // value, JSON-looking or not, is a string and must stay one.
  if (row.conversation_id === "conv-parts") return JSON.parse(row.content) as ChatEvent["content"];
  return row.content;
}

export function expectedToolCalls(row: LegacyRow): ToolCall[] {
  return row.tool_calls === null ? [] : (JSON.parse(row.tool_calls) as ToolCall[]);
}

/** The seed wrote falsy extra as NULL. */
export function expectedExtra(row: LegacyRow): JsonObject {
  return row.extra === null ? {} : (JSON.parse(row.extra) as JsonObject);
}

export function expectedRaw(row: LegacyRow): JsonValue {
  return row.raw === null ? null : (JSON.parse(row.raw) as JsonValue);
}

export interface PythonCheckSummary {
  ok: boolean;
  conversations: number;
  events: number;
  read_errors: Record<string, string>;
  unexpected_read_ok: string[];
  appended_user_seq: number;
  appended_seq: number;
  conv_basic_events_after: number;
}
