import { setTimeout as sleep } from "node:timers/promises";
import { ChatlogError } from "@chatlog/core";
import { isBusyError } from "./storage-error.ts";

/** How many migrations drizzle's journal table records as applied (0 when it does not exist). */
export const APPLIED_MIGRATIONS_SQL = "SELECT count(*) AS applied FROM __drizzle_migrations";

const MAX_ATTEMPTS = 20;

/**
 * Runs a driver's drizzle migrator so that several processes opening one new database at once
 * all succeed. drizzle's migrators read the journal (`__drizzle_migrations`) and then apply
 * what is missing in a separate transaction, so two processes can both decide to apply
 * migration 0002; the second then fails inside its own (rolled back) transaction with "table
 * ... already exists" or a lock error. Such a failure is recognised by its cause, not guessed
 * from its message: either the lock was busy, or the journal advanced while this attempt ran
 * (another process applied migrations, so this one's view was stale). Then the journal is read
 * again and only what is still missing is applied. A failure with no other process's progress
 * behind it is MIGRATION_FAILED.
 *
 * `applied` counts the applied migrations (APPLIED_MIGRATIONS_SQL; 0 if the table is missing).
 */
export async function migrateWithRetry(
  migrate: () => unknown,
  applied: () => Promise<number> | number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const before = await countOrZero(applied);
    try {
      await migrate();
      return;
    } catch (error) {
      const raced = isBusyError(error) || (await countOrZero(applied)) > before;
      if (!raced || attempt >= MAX_ATTEMPTS) {
        throw new ChatlogError("MIGRATION_FAILED", `migration failed: ${oneLine(error)}`, { cause: error });
      }
      // Only a lock wait needs a pause; a stale journal is simply read again.
      if (isBusyError(error)) await sleep(10 * attempt);
    }
  }
}

/**
 * Runs `step` (setting a pragma, e.g. switching a new file to WAL), retrying while another
 * process holds the lock, up to `timeoutMs`. SQLite can answer BUSY at once, without waiting
 * for the busy timeout, when waiting could deadlock (two connections changing the journal
 * mode of one new file together).
 */
export async function retryWhileBusy<T>(step: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    try {
      return await step();
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= deadline) throw error;
      await sleep(pause);
    }
  }
}

async function countOrZero(applied: () => Promise<number> | number): Promise<number> {
  try {
    return Number(await applied()) || 0;
  } catch {
    // No journal table yet (or it cannot be read right now): nothing applied that we can see.
    return 0;
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, " ").trim();
}
