import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { type DriverHarness, tempDir } from "../harness.ts";
import { rawFile } from "../raw.ts";
import { Child, type ChildExit, describeExit, repoRoot } from "./child-process.ts";
import { copyFixture, expectedSeqs, loadExpected } from "./legacy-fixture.ts";

const DB_MIGRATE = "drizzle-kit migrate --config packages/schema/drizzle.config.ts";

/** Runs the root `db:migrate` script's command as `pnpm db:migrate` would, from the repo root. */
function runMigrate(databaseUrl: string): Promise<ChildExit> {
  const env = { ...process.env, DATABASE_URL: databaseUrl };
  const [bin, ...args] = DB_MIGRATE.split(" ");
  const child = new Child(join(repoRoot, "node_modules", ".bin", bin as string), args, {
    cwd: repoRoot,
    env,
  });
  return child.exit(60_000);
}

function journalLength(): number {
  const journal = JSON.parse(readFileSync(join(repoRoot, "drizzle", "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** The root `pnpm db:migrate` script adopts a legacy file in place and fails loudly. */
export function registerDbMigrateScript(h: DriverHarness): void {
  it("pnpm db:migrate runs drizzle-kit migrate on the committed journal", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["db:migrate"]).toBe(DB_MIGRATE);
  });

  it("db:migrate migrates a legacy Python database in place, and it opens afterwards", async () => {
    const copy = copyFixture();
    try {
      const exit = await runMigrate(`file:${copy.file}`);
      expect(exit.code, describeExit(exit)).toBe(0);
      expect(`${exit.stdout}${exit.stderr}`).toContain("migrations applied successfully");

      const raw = rawFile(copy.file);
      try {
        const [applied] = await raw.all("SELECT COUNT(*) AS n FROM __drizzle_migrations");
        expect(Number(applied?.n)).toBe(journalLength());
        const [dups] = await raw.all(
          "SELECT COUNT(*) AS n FROM (SELECT 1 FROM chat_events GROUP BY conversation_id, seq HAVING COUNT(*) > 1)",
        );
        expect(Number(dups?.n)).toBe(0);
      } finally {
        raw.close();
      }

      // Opened without migrating: the script alone must have done the whole job.
      const expected = loadExpected();
      const seqs = expectedSeqs(expected.rows);
      const db = await h.reopen(copy.file, { migrate: false });
      try {
        const listed = await db.repo.listConversations({ limit: 100 });
        const total = listed.conversations.reduce((n, c) => n + c.eventCount, 0);
        expect(total).toBe(expected.row_count);
        const race = await db.repo.getEvents("conv-procs");
        expect(race.map((e) => [e.id, e.seq])).toEqual(
          expected.rows
            .filter((r) => r.conversation_id === "conv-procs")
            .map((r) => [r.id, seqs.get(r.id)])
            .sort((a, b) => Number(a[1]) - Number(b[1])),
        );
      } finally {
        await db.dispose();
      }

      // Running it again is a no-op that still succeeds.
      const again = await runMigrate(`file:${copy.file}`);
      expect(again.code, describeExit(again)).toBe(0);
    } finally {
      copy.remove();
    }
  });

  it("drizzle-kit and the driver's migrator share one journal: neither re-applies what the other did", async () => {
    const tmp = tempDir();
    try {
      const byKit = join(tmp.dir, "by-kit.db");
      const exit = await runMigrate(`file:${byKit}`);
      expect(exit.code, describeExit(exit)).toBe(0);
      const opened = await h.reopen(byKit);
      try {
        const [count] = await opened.raw.all("SELECT COUNT(*) AS n FROM __drizzle_migrations");
        expect(Number(count?.n)).toBe(journalLength());
        expect(
          (await opened.repo.addEvent({ conversationId: "c", type: "user_message", content: "hi" })).added,
        ).toBe(true);
      } finally {
        await opened.dispose();
      }

      const byDriver = await h.create();
      try {
        const file = byDriver.file as string;
        await byDriver.repo.close();
        const again = await runMigrate(`file:${file}`);
        expect(again.code, describeExit(again)).toBe(0);
        const [count] = await byDriver.raw.all("SELECT COUNT(*) AS n FROM __drizzle_migrations");
        expect(Number(count?.n)).toBe(journalLength());
      } finally {
        await byDriver.dispose();
      }
    } finally {
      tmp.remove();
    }
  });

  it("db:migrate exits non-zero when the file is not a database, leaving it untouched", async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, "not-a-db.db");
      const garbage = "this is not a SQLite database\n".repeat(100);
      writeFileSync(file, garbage);
      const exit = await runMigrate(`file:${file}`);
      expect(exit.code, describeExit(exit)).not.toBe(0);
      expect(readFileSync(file, "utf8")).toBe(garbage);
    } finally {
      tmp.remove();
    }
  });
}
