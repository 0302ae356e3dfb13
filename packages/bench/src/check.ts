import type { RawDb } from "./raw-db.ts";

/**
 * Stops the run when the library and its baseline did not do the same work (a baseline that
 * silently skips a step would make every ratio meaningless).
 */
export function assertSameWork(what: string, library: number, baseline: number): void {
  if (library !== baseline) {
    throw new Error(`bench: library and baseline differ on ${what}: ${library} vs ${baseline}`);
  }
}

/** Events stored under conversation ids starting with `prefix`, optionally of one type. */
export function countEvents(raw: RawDb, prefix: string, type?: string): number {
  const row = raw.db
    .prepare(
      `SELECT COUNT(*) AS n FROM chat_events WHERE substr(conversation_id, 1, length(:prefix)) = :prefix
       AND (:type IS NULL OR type = :type)`,
    )
    .get({ prefix, type: type ?? null }) as { n: number };
  return row.n;
}
