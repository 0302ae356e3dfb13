import { setTimeout as sleep } from "node:timers/promises";
import { ChatlogError } from "@chatlog/core";
import { isBusyError } from "./storage-error.ts";

const ATTEMPTS = 5;

/**
 * Runs a driver's drizzle migrator, retrying while another process holds the lock: several
 * processes opening the same new file at once all try to migrate, and once the first commits
 * the others find nothing left to do. Any other failure is MIGRATION_FAILED.
 */
export async function migrateWithRetry(migrate: () => unknown): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate();
      return;
    } catch (error) {
      if (!isBusyError(error) || attempt >= ATTEMPTS) {
        throw new ChatlogError("MIGRATION_FAILED", `migration failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await sleep(50 * attempt);
    }
  }
}
