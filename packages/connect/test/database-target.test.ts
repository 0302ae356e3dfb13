import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isChatlogError } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import { openDatabase, resolveDatabaseTarget } from "../src/index.ts";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isChatlogError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe("resolveDatabaseTarget", () => {
  it("defaults to ./data/chatlog.db on better-sqlite3, relative to baseDir", () => {
    expect(resolveDatabaseTarget({ baseDir: "/srv/app" })).toEqual({
      driver: "better-sqlite3",
      url: "file:/srv/app/data/chatlog.db",
      file: "/srv/app/data/chatlog.db",
    });
  });

  it("reads file: URLs, file:// URLs and bare paths as the same file; CHATLOG_DRIVER=libsql takes it", () => {
    for (const url of ["file:/tmp/a.db", "file:///tmp/a.db", "/tmp/a.db", "file:/tmp/a.db?mode=rwc"]) {
      expect(resolveDatabaseTarget({ url }).file).toBe("/tmp/a.db");
    }
    expect(resolveDatabaseTarget({ url: "file:/tmp/a.db", driver: "libsql" })).toMatchObject({
      driver: "libsql",
      url: "file:/tmp/a.db",
    });
    expect(resolveDatabaseTarget({ url: ":memory:" })).toMatchObject({ url: ":memory:", file: null });
  });

  it("sends remote URLs to libSQL with their token", () => {
    for (const url of ["libsql://db.turso.io", "https://db.example", "wss://db.example"]) {
      expect(resolveDatabaseTarget({ url, authToken: "t" })).toEqual({
        driver: "libsql",
        url,
        file: null,
        authToken: "t",
      });
    }
  });

  it("sends postgres:// and postgresql:// URLs to @chatlog/postgres, as given", () => {
    for (const url of [
      "postgres://u:secret@db:5432/chat",
      "postgresql://db/chat?sslmode=require",
      "POSTGRES://db/x",
    ]) {
      expect(resolveDatabaseTarget({ url })).toEqual({ driver: "postgres", url, file: null });
      expect(resolveDatabaseTarget({ url, driver: "postgres" }).driver).toBe("postgres");
    }
  });

  it("refuses a SQLite driver forced onto a Postgres URL, and postgres forced onto a file", () => {
    for (const driver of ["better-sqlite3", "libsql"]) {
      expect(codeOf(() => resolveDatabaseTarget({ url: "postgres://db/x", driver }))).toBe(
        "INVALID_ARGUMENT",
      );
    }
    expect(codeOf(() => resolveDatabaseTarget({ url: "chat.db", driver: "postgres" }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(codeOf(() => resolveDatabaseTarget({ driver: "postgres" }))).toBe("INVALID_ARGUMENT");
  });

  it("never puts a password into an error message", () => {
    const refused = [{ url: "postgres://u:secret@db/x", driver: "libsql" }, { url: "mysql://u:secret@db/x" }];
    for (const settings of refused) {
      expect(() => resolveDatabaseTarget(settings)).toThrow(/u@db/);
      expect(() => resolveDatabaseTarget(settings)).not.toThrow(/secret/);
    }
  });

  it("refuses an unknown driver, another scheme, better-sqlite3 on a remote URL and an empty path", () => {
    expect(codeOf(() => resolveDatabaseTarget({ driver: "pg" }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => resolveDatabaseTarget({ url: "mysql://x" }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => resolveDatabaseTarget({ url: "libsql://x", driver: "better-sqlite3" }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(codeOf(() => resolveDatabaseTarget({ url: "file:" }))).toBe("INVALID_ARGUMENT");
  });
});

describe("openDatabase", () => {
  it.each(["better-sqlite3", "libsql"])("opens the same file through %s", async (driver) => {
    const dir = mkdtempSync(join(tmpdir(), "chatlog-connect-"));
    try {
      const target = resolveDatabaseTarget({ url: "chat.db", driver, baseDir: dir });
      const repo = await openDatabase(target);
      await repo.addEvent({ conversationId: "c", type: "user_message", content: "hi" });
      await repo.close();
      const again = await openDatabase(resolveDatabaseTarget({ url: `file:${join(dir, "chat.db")}` }));
      expect((await again.getEvents("c")).map((e) => e.content)).toEqual(["hi"]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
