import { runStatement as sql, type TestDatabase } from "@chatlog/pg-test-cluster";
import { testDatabase } from "@chatlog/pg-test-cluster/vitest";
import { postgresMigrationsFolder, shippedMigrations } from "@chatlog/schema";
import { afterEach, describe, expect, it } from "vitest";
import { inspectSchema, openChatRepository } from "../src/index.ts";

/** The Postgres dialect's answer to "what did this database hold?", read before migrating. */
describe("inspectSchema (Postgres)", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it("a new database is empty, even beside an application's own tables; once opened it is chatlog's, up to date", async () => {
    database = await testDatabase();
    await sql(database.url, "CREATE TABLE app_users (id int)");
    expect(await inspectSchema(database.url)).toEqual({ kind: "empty" });
    const repo = await openChatRepository({ connectionString: database.url });
    await repo.close();
    const shipped = shippedMigrations(postgresMigrationsFolder);
    expect(shipped).toBeGreaterThan(0);
    expect(await inspectSchema(database.url)).toEqual({ kind: "chatlog", applied: shipped, shipped });
  });

  it("counts the migrations drizzle recorded, so a database behind says how far", async () => {
    database = await testDatabase();
    await (await openChatRepository({ connectionString: database.url })).close();
    await sql(
      database.url,
      "DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations)",
    );
    const shipped = shippedMigrations(postgresMigrationsFolder);
    expect(await inspectSchema(database.url)).toEqual({ kind: "chatlog", applied: shipped - 1, shipped });
  });

  it("chat_events with no migrations recorded is a legacy schema; an unreachable database is null", async () => {
    database = await testDatabase();
    await sql(database.url, "CREATE TABLE chat_events (id text)");
    expect(await inspectSchema(database.url)).toEqual({ kind: "legacy" });
    const missing = new URL(database.url);
    missing.pathname = "/chatlog_test_no_such_database";
    expect(await inspectSchema(missing.toString())).toBeNull();
  });
});
