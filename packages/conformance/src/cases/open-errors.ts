import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatlogError, RepositoryOptions } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import { type DriverHarness, isPostgres, tempDir } from "../harness.ts";

/** Opens `file` through the harness and returns the error it fails with. */
async function openFails(h: DriverHarness, file: string, options?: RepositoryOptions): Promise<ChatlogError> {
  let caught: unknown;
  try {
    const opened = await h.reopen(file, options);
    await opened.dispose();
  } catch (error) {
    caught = error;
  }
  expect(caught, `opening ${file} should fail`).toMatchObject({ name: "ChatlogError" });
  const error = caught as ChatlogError;
  // One line: a cause a person can act on, never a stack or a SQL dump.
  expect(error.message.split("\n")).toHaveLength(1);
  return error;
}

/** chattr +i makes a file immutable even for root (chmod does not stop root). */
function immutable(file: string, on: boolean): boolean {
  try {
    execFileSync("chattr", [on ? "+i" : "-i", file], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function openErrorCases(h: DriverHarness): void {
  // Remote configurations open a URL: the server, not the client, owns the file. So does
  // Postgres; its own cases follow.
  describe.skipIf(!h.file || h.remoteOf !== undefined || isPostgres(h))(
    "opening fails with a typed, one-line error naming the file",
    () => {
      it("a file where the database folder should be", async () => {
        const tmp = tempDir();
        try {
          const blocker = join(tmp.dir, "data");
          writeFileSync(blocker, "not a folder");
          const file = join(blocker, "chat.db");
          const error = await openFails(h, file);
          expect(error.code).toBe("STORAGE_ERROR");
          expect(error.message).toContain(blocker);
          expect(error.message).toMatch(/EEXIST|ENOTDIR/);
        } finally {
          tmp.remove();
        }
      });

      it("a file that is not a database", async () => {
        const tmp = tempDir();
        try {
          const file = join(tmp.dir, "notes.db");
          writeFileSync(file, "These are my notes, not a database. ".repeat(200));
          const error = await openFails(h, file);
          expect(error.code).toMatch(/STORAGE_ERROR|MIGRATION_FAILED/);
          expect(error.message).toContain(file);
          expect(error.message).toMatch(/not a (SQLite )?database/);
        } finally {
          tmp.remove();
        }
      });

      it("a read-only database file", async (context) => {
        const tmp = tempDir();
        const file = join(tmp.dir, "chat.db");
        await (await h.reopen(file)).dispose();
        if (!immutable(file, true)) {
          tmp.remove();
          context.skip();
        }
        try {
          // SQLite opens such a file read-only; either the open or the first write must fail
          // with a typed error that names the file and says it is read-only.
          let error: unknown;
          try {
            const opened = await h.reopen(file);
            try {
              await opened.repo.addEvent({ conversationId: "c", type: "user_message", content: "x" });
            } catch (e) {
              error = e;
            } finally {
              await opened.dispose();
            }
          } catch (e) {
            error = e;
          }
          expect(error).toMatchObject({ name: "ChatlogError" });
          const typed = error as ChatlogError;
          expect(typed.code).toMatch(/STORAGE_ERROR|MIGRATION_FAILED/);
          expect(typed.message.split("\n")).toHaveLength(1);
          expect(typed.message).toContain(file);
          expect(typed.message).toMatch(/read-only|readonly/i);
        } finally {
          immutable(file, false);
          tmp.remove();
        }
      });

      it("misspelled option keys and out-of-range values are INVALID_ARGUMENT", async () => {
        const tmp = tempDir();
        const file = join(tmp.dir, "chat.db");
        await (await h.reopen(file)).dispose();
        for (const options of [
          { retension: { maxAgeHours: 1 } },
          { retention: { maxAge: 1 } },
          { savedSessions: { max: 3 } },
          { savedSessions: { enabled: "no" } },
          { retention: 5 },
          { migrate: "yes" },
          { busyTimeoutMs: -1 },
          { busyTimeoutMs: 1e9 },
          { busyTimeoutMs: 1.5 },
          { onCorruptRow: "log" },
        ]) {
          const error = await openFails(h, file, options as RepositoryOptions);
          expect(error.code, JSON.stringify(options)).toBe("INVALID_ARGUMENT");
        }
        tmp.remove();
      });
    },
  );

  describe.runIf(isPostgres(h))("opening a Postgres database fails with a typed, one-line error", () => {
    it("misspelled option keys and out-of-range values are INVALID_ARGUMENT", async () => {
      const db = await h.create();
      try {
        for (const options of [
          { retension: { maxAgeHours: 1 } },
          { savedSessions: { enabled: "no" } },
          { migrate: "yes" },
          { busyTimeoutMs: 1000 },
          { poolSize: 0 },
          { onCorruptRow: "log" },
        ]) {
          const error = await openFails(h, db.file!, options as RepositoryOptions);
          expect(error.code, JSON.stringify(options)).toBe("INVALID_ARGUMENT");
        }
      } finally {
        await db.dispose();
      }
    });

    it("a server that is not there is UNAVAILABLE, named without its password", async () => {
      const db = await h.create();
      await db.dispose();
      const url = new URL(db.file!);
      url.password = "secret-password";
      url.port = "1"; // nothing listens on port 1
      const error = await openFails(h, url.toString());
      expect(error.code).toBe("UNAVAILABLE");
      expect(error.message).toContain("127.0.0.1");
      expect(error.message).not.toContain("secret-password");
    });

    it("a database that does not exist is a STORAGE_ERROR naming it", async () => {
      const db = await h.create();
      await db.dispose(); // dropped
      const error = await openFails(h, db.file!);
      expect(error.code).toBe("STORAGE_ERROR");
      expect(error.message).toContain(new URL(db.file!).pathname.slice(1));
    });
  });
}
