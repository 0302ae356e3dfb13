import { describe, expect, inject, it } from "vitest";
import {
  createTestDatabase,
  postgresAvailable,
  TEST_DATABASE_PREFIX,
  TEST_SERVER_ENV,
  testServer,
} from "../src/index.ts";
import { testDatabase } from "../src/vitest.ts";
import { query } from "./helpers.ts";

describe.runIf(postgresAvailable())("test databases", () => {
  it("the global setup provides one server for the run, also through the environment", () => {
    const url = inject("chatlogPostgresUrl");
    expect(url).toMatch(/^postgres:\/\//);
    expect(process.env[TEST_SERVER_ENV]).toBe(url);
  });

  it("each database is new and separate, and drop() removes it even with a connection left open", async () => {
    const a = await testDatabase();
    const b = await testDatabase();
    expect(a.name).not.toBe(b.name);
    expect(a.name.startsWith(TEST_DATABASE_PREFIX)).toBe(true);
    expect(new URL(a.url).pathname).toBe(`/${a.name}`);
    await query(a.url, "CREATE TABLE t (x int)");
    await expect(query(b.url, "SELECT * FROM t")).rejects.toThrow(/does not exist/);
    await b.drop();

    const { Client } = (await import("pg")).default;
    const leaked = new Client({ connectionString: a.url });
    leaked.on("error", () => {}); // ended by the drop
    await leaked.connect();
    await a.drop();
    const server = inject("chatlogPostgresUrl");
    const { rows } = await query(server, "SELECT datname FROM pg_database WHERE datname = ANY($1)", [
      [a.name, b.name],
    ]);
    expect(rows).toEqual([]);
  });

  it("testServer() uses the server CHATLOG_TEST_POSTGRES_URL names instead of starting one", async () => {
    const server = await testServer();
    expect(server.url).toBe(process.env[TEST_SERVER_ENV]);
    server.stop(); // a no-op on a server it did not start
    const db = await createTestDatabase(server.url);
    await db.drop();
  });
});
