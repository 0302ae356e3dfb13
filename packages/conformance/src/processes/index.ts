import { describe } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { registerConcurrentAppends } from "./concurrent-appends.ts";
import { registerCrashSafety } from "./crash-safety.ts";
import { registerDbMigrateScript } from "./db-migrate-script.ts";
import { registerLegacyAdoption } from "./legacy-adoption.ts";
import { registerOpenTogether } from "./open-together.ts";
import { registerOwnerRace } from "./owner-race.ts";
import { registerRequestIdRace } from "./request-id-race.ts";
import { registerRetentionTimerExit } from "./retention-timer-exit.ts";

export { registerConcurrentAppends } from "./concurrent-appends.ts";
export { registerCrashSafety } from "./crash-safety.ts";
export { registerDbMigrateScript } from "./db-migrate-script.ts";
export { registerLegacyAdoption } from "./legacy-adoption.ts";
export { registerOpenTogether } from "./open-together.ts";
export { registerOwnerRace } from "./owner-race.ts";
export { registerRequestIdRace } from "./request-id-race.ts";
export { registerRetentionTimerExit } from "./retention-timer-exit.ts";

/**
 * Multi-process cases: real child processes on one database file. They need a file, so a
 * :memory: configuration registers nothing.
 */
export function describeProcesses(h: DriverHarness): void {
  if (!h.file) return;
  describe(`processes: ${h.name}`, () => {
    registerConcurrentAppends(h);
    registerRequestIdRace(h);
    registerCrashSafety(h);
    registerRetentionTimerExit(h);
    registerOpenTogether(h);
    registerOwnerRace(h);
  });
}

/** Adoption of a database the Python system wrote, and the root db:migrate script. */
export function describeLegacyAdoption(h: DriverHarness): void {
  if (!h.file) return;
  describe(`legacy adoption: ${h.name}`, () => {
    registerLegacyAdoption(h);
    registerDbMigrateScript(h);
  });
}
