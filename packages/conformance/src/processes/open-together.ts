import { expect, it } from "vitest";
import { blankFile, type DriverHarness, isPostgres } from "../harness.ts";
import { Child, describeExit, startTogether, targetOf } from "./child-process.ts";

const PROCESSES = 6;
const ROUNDS = 3;

/**
 * Issue 9 point 14: several processes (servers starting together) opening one brand-new
 * database at the same moment all succeed, every time: the migrator's check-then-apply must not
 * race ("table ... already exists") and switching the file to WAL must not fail with BUSY.
 */
export function registerOpenTogether(h: DriverHarness): void {
  it(`${PROCESSES} processes opening one fresh database at once all succeed (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const blank = (await h.blank?.()) ?? blankFile();
      const file = blank.location;
      const stopServing = (await h.serve?.(file)) ?? (async () => {});
      const children: Child[] = [];
      try {
        children.push(
          ...Array.from({ length: PROCESSES }, (_, k) =>
            Child.script("open-together.ts", { ...targetOf(h, file), tag: `round${round}-p${k}` }),
          ),
        );
        await startTogether(children);
        const exits = await Promise.all(children.map((c) => c.exit(120_000)));
        exits.forEach((exit, k) => {
          const [result] = (children[k] as Child).jsonLines<{ ok: boolean; error?: string }>();
          expect(result, `round ${round}, process ${k}: ${describeExit(exit)}`).toEqual({
            tag: `round${round}-p${k}`,
            ok: true,
          });
          expect(exit.code, describeExit(exit)).toBe(0);
        });
        const raw = blank.raw();
        try {
          // Each migration applied once, and every process's event stored.
          const applied = await raw.all(
            isPostgres(h)
              ? "SELECT hash FROM drizzle.__drizzle_migrations"
              : "SELECT hash FROM __drizzle_migrations",
          );
          expect(new Set(applied.map((r) => r.hash)).size).toBe(applied.length);
          const events = await raw.all("SELECT request_id FROM chat_events ORDER BY seq");
          expect(events.map((e) => e.request_id).sort()).toEqual(
            Array.from({ length: PROCESSES }, (_, k) => `round${round}-p${k}`).sort(),
          );
          if (!isPostgres(h)) {
            const [mode] = await raw.all("PRAGMA journal_mode");
            expect(mode?.journal_mode).toBe("wal");
          }
        } finally {
          await raw.close();
        }
      } finally {
        for (const c of children) c.stop();
        await stopServing();
        await blank.remove();
      }
    }
  });
}
