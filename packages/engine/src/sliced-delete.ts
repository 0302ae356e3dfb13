import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { SqlExecutor, Step } from "./executor.ts";

/**
 * Rows per DELETE: each slice is its own short transaction (about a millisecond here), so
 * another writer waits at most one slice for the lock.
 */
export const DELETE_SLICE = 200;
/**
 * After each slice the deleter rests twice as long as the slice took (at least MIN_PAUSE_MS), so
 * it holds the write lock at most a third of the time. SQLite's busy handler sleeps a waiting
 * writer in steps of 1, 2, 5 ms; without rests longer than those steps a waiting writer keeps
 * missing the lock as slice after slice takes it.
 */
const REST_PER_BUSY = 2;
const MIN_PAUSE_MS = 3;

/**
 * Runs `slice` (a DELETE ... LIMIT :batch RETURNING 1) until it deletes fewer rows than a full
 * slice; returns the total deleted.
 */
export async function deleteInSlices(executor: SqlExecutor, slice: (batch: number) => Step): Promise<number> {
  let total = 0;
  for (;;) {
    const started = performance.now();
    const rows = await executor.all(slice(DELETE_SLICE));
    total += rows.length;
    if (rows.length < DELETE_SLICE) return total;
    await sleep(Math.max(MIN_PAUSE_MS, REST_PER_BUSY * (performance.now() - started)));
  }
}
