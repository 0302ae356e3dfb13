import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { migrationsFolder } from "@chatlog/schema";
import { describe, expect, it } from "vitest";

/**
 * drizzle's libSQL migrator sends each run as one batch wrapped in BEGIN DEFERRED / COMMIT, and
 * Turso schema databases reject transaction control in migrations: a migration file with its
 * own BEGIN, COMMIT, ROLLBACK, SAVEPOINT or RELEASE breaks remote mode. (A trigger body's
 * BEGIN ... END is not transaction control.)
 */
function transactionControl(sql: string): string[] {
  const withoutComments = sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
  const found: string[] = [];
  for (const match of withoutComments.matchAll(
    /(^|;)\s*(BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?\s*(;|$)|COMMIT\b|END\s+TRANSACTION\b|ROLLBACK\b|SAVEPOINT\b|RELEASE\b)/gi,
  )) {
    found.push((match[2] ?? "").trim());
  }
  return found;
}

describe("migration files", () => {
  it("the checker finds transaction control and leaves trigger bodies alone", () => {
    expect(transactionControl("BEGIN;\nCREATE TABLE t (x);\nCOMMIT;")).toEqual(["BEGIN;", "COMMIT"]);
    expect(transactionControl("SAVEPOINT a; CREATE TABLE t (x); RELEASE a;")).toEqual([
      "SAVEPOINT",
      "RELEASE",
    ]);
    expect(transactionControl("BEGIN IMMEDIATE TRANSACTION;")).toHaveLength(1);
    expect(
      transactionControl(
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW\nBEGIN\n  UPDATE u SET n = n + 1;\nEND;",
      ),
    ).toEqual([]);
  });

  it("no migration in drizzle/ contains its own BEGIN / COMMIT / SAVEPOINT", () => {
    const files = readdirSync(migrationsFolder).filter((f) => f.endsWith(".sql"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(transactionControl(readFileSync(join(migrationsFolder, file), "utf8")), file).toEqual([]);
    }
  });
});
