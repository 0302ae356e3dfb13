import { describe, expect, it } from "vitest";
import { type DriverHarness, isPostgres } from "../harness.ts";
import { add, count, countEvents, user, withDb } from "./support.ts";

const BIG = "x".repeat(2_000);

async function fill(repo: Parameters<Parameters<typeof withDb>[1]>[0]["repo"], c: string, n: number) {
  const added = await Promise.all(Array.from({ length: n }, (_, i) => repo.addEvent(user(c, `${i} ${BIG}`))));
  expect(added.every((r) => r.added)).toBe(true);
}

export function vacuumCases(h: DriverHarness): void {
  describe("vacuum", () => {
    it.runIf(isPostgres(h))(
      "on Postgres runs VACUUM (ANALYZE): dead rows are reclaimed, sizes reported, data intact",
      () =>
        withDb(h, async ({ repo, raw }) => {
          await fill(repo, "gone", 400);
          await add(repo, user("kept", "stays"));
          await repo.deleteConversation("gone");
          const result = await repo.vacuum();
          expect(result.full).toBe(false);
          expect(result.bytesBefore).toBeGreaterThan(0);
          expect(result.bytesAfter).toBeGreaterThan(0);
          // The planner's statistics are fresh: the table is known to hold one live row.
          expect(
            await count(raw, "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'chat_events'"),
          ).toBe(1);
          expect((await repo.getEvents("kept")).map((e) => e.content)).toEqual(["stays"]);
          expect(await countEvents(raw)).toBe(1);
          expect((await add(repo, user("kept", "after"))).seq).toBe(2);
        }),
    );

    // SQLite's file-level vacuum (auto_vacuum modes, free pages); Postgres's own case is above.
    it.skipIf(isPostgres(h))(
      "gives deleted space back, first with one full VACUUM, then in incremental slices; data intact",
      () =>
        withDb(h, async ({ repo, raw }) => {
          await fill(repo, "gone", 400);
          await add(repo, user("kept", "stays"));
          await repo.deleteConversation("gone");
          const first = await repo.vacuum();
          expect(first.full).toBe(true);
          expect(first.bytesAfter).toBeLessThan(first.bytesBefore / 2);
          expect(await count(raw, "SELECT auto_vacuum FROM pragma_auto_vacuum")).toBe(2);

          await fill(repo, "gone2", 400);
          await repo.deleteConversation("gone2");
          const second = await repo.vacuum();
          // A client-backed configuration (@libsql/client) runs a full VACUUM every time.
          const incremental = !clientStepsOnce(h);
          expect(second.full).toBe(!incremental);
          expect(second.bytesAfter).toBeLessThan(second.bytesBefore / 2);
          expect(await count(raw, "SELECT freelist_count FROM pragma_freelist_count")).toBe(0);

          expect((await repo.getEvents("kept")).map((e) => e.content)).toEqual(["stays"]);
          expect(await countEvents(raw)).toBe(1);
          expect((await add(repo, user("kept", "after"))).seq).toBe(2);
          expect(await repo.vacuum()).toMatchObject({ full: !incremental });
        }),
    );

    it("writes issued while it runs all land", () =>
      withDb(h, async ({ repo, raw }) => {
        await fill(repo, "gone", 300);
        await repo.deleteConversation("gone");
        await repo.vacuum();
        await fill(repo, "gone", 300);
        await repo.deleteConversation("gone");
        const writes = Array.from({ length: 50 }, (_, i) => repo.addEvent(user("live", `w${i}`)));
        const [result] = await Promise.all([repo.vacuum(), ...writes]);
        expect(result.full).toBe(clientStepsOnce(h));
        expect(await countEvents(raw, "live")).toBe(50);
      }));
  });
}

/**
 * @libsql/client (libsql :memory: and every remote URL) steps each statement once, which leaves an
 * incremental vacuum unfinished, so the repository runs a full VACUUM there every time.
 */
function clientStepsOnce(h: DriverHarness): boolean {
  return h.name.includes("libsql :memory:") || h.remoteOf !== undefined;
}
