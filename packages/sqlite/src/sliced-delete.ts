import { setTimeout as sleep } from "node:timers/promises";
import type { SqlExecutor, Step } from "./executor.ts";

/**
 * Rows per DELETE: each slice is its own short transaction, so another writer waits at most
 * one slice (about a millisecond here) for the lock.
 */
export const DELETE_SLICE = 200;
/**
 * Pause between slices. SQLite's busy handler sleeps a waiting writer in steps of 1, 2, 5 ms;
 * without a gap longer than those steps, a waiting writer can keep missing the lock while
 * slice after slice takes it, and its wait grows to tens of milliseconds.
 */
export const SLICE_PAUSE_MS = 3;

/**
 * Runs `slice` (a DELETE ... LIMIT :batch RETURNING 1) until it deletes fewer rows than a full
 * slice; returns the total deleted.
 */
export async function deleteInSlices(executor: SqlExecutor, slice: (batch: number) => Step): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await executor.all(slice(DELETE_SLICE));
    total += rows.length;
    if (rows.length < DELETE_SLICE) return total;
    await sleep(SLICE_PAUSE_MS);
  }
}
