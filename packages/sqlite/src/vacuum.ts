import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { VacuumResult } from "@chatlog/core";
import type { Row, SqlExecutor } from "@chatlog/engine";
import { SQL } from "./statements.ts";
import { SyncExecutor } from "./sync-executor.ts";

const INCREMENTAL = 2;
/** Upper bound on slices per run (256 pages each): about 4 GiB at 4 KiB pages. */
const MAX_SLICES = 4096;

async function state(executor: SqlExecutor): Promise<Row> {
  const [row] = await executor.all({ statement: SQL.vacuumState, args: {} });
  return row ?? {};
}

/**
 * A full VACUUM rewrites the whole file while holding the write lock, which on a large database
 * outlasts every other writer's busy timeout. So it runs once, to switch the file to incremental
 * auto-vacuum (the mode needs pointer maps that only a VACUUM builds); from then on the free
 * pages are released a slice at a time, each slice its own short transaction, with a rest after
 * it as long as it took, so live writers get the lock in between. Every statement here runs in
 * autocommit on its own (VACUUM cannot run inside a transaction). Through @libsql/client
 * every run is a full VACUUM (see below).
 */
export async function vacuumDatabase(executor: SqlExecutor): Promise<VacuumResult> {
  const before = await state(executor);
  // Through @libsql/client (remote, or an in-memory database) a statement is run with one step,
  // which leaves an incremental vacuum unfinished; there each run is a full VACUUM.
  const full = Number(before.auto_vacuum) !== INCREMENTAL || !(executor instanceof SyncExecutor);
  if (full) {
    await executor.all({ statement: SQL.useIncrementalVacuum, args: {} });
    await executor.all({ statement: SQL.vacuum, args: {} });
  } else {
    for (let slice = 0; slice < MAX_SLICES; slice++) {
      if (Number((await state(executor)).free_pages) === 0) break;
      const started = performance.now();
      await executor.all({ statement: SQL.incrementalVacuumSlice, args: {} });
      await sleep(Math.max(1, performance.now() - started));
    }
  }
  // In WAL mode the file shrinks only when the WAL is checkpointed; a reader elsewhere can keep
  // that from finishing now, in which case a later checkpoint completes it. A background
  // checkpoint still running would make this one return at once, so it goes first.
  if (executor instanceof SyncExecutor) await executor.checkpointsIdle();
  await executor.all({ statement: SQL.checkpointTruncate, args: {} });
  const after = await state(executor);
  return { full, bytesBefore: Number(before.bytes), bytesAfter: Number(after.bytes) };
}
