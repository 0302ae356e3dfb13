import { readFileSync } from "node:fs";
import { join } from "node:path";
import { postgresAvailable, type TestDatabase } from "@chatlog/pg-test-cluster";
import { testDatabase } from "@chatlog/pg-test-cluster/vitest";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresMigrationsFolder } from "../src/index.ts";

const INSERT = `INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, extra, raw)
               VALUES ($1, $2, $3, 1, 'user_message', $4, $5)`;

describe.runIf(postgresAvailable())("the Postgres schema (drizzle-postgres/)", () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await testDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await migrate(drizzle({ client }), { migrationsFolder: postgresMigrationsFolder });
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("creates every table the SQLite schema has", async () => {
    const { rows } = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(rows.map((row) => row.table_name)).toEqual([
      "chat_conversations",
      "chat_events",
      "chat_saved_sessions",
      "chat_turn_claims",
      "chatlog_import_staging",
      "chatlog_state",
    ]);
  });

  it("stores extra and raw byte for byte (key order, spacing, falsy values) and reads request_id from extra", async () => {
    const extra = '{"z":1, "request_id":"r-1","a":{"1":0,"b":false},"a":null}';
    await client.query(INSERT, ["e1", "c1", 1, extra, "[]"]);
    await client.query(INSERT, ["e2", "c1", 2, '{"x":""}', "0"]);
    const { rows } = await client.query(
      "SELECT id, extra::text AS extra, raw::text AS raw, request_id FROM chat_events WHERE conversation_id = 'c1' ORDER BY seq",
    );
    expect(rows).toEqual([
      { id: "e1", extra, raw: "[]", request_id: "r-1" },
      { id: "e2", extra: '{"x":""}', raw: "0", request_id: null },
    ]);
  });

  it("refuses a second (conversation_id, request_id) and a second (conversation_id, seq), not two without a request id", async () => {
    await client.query(INSERT, ["d1", "c2", 1, '{"request_id":"same"}', null]);
    await expect(client.query(INSERT, ["d2", "c2", 2, '{"request_id":"same"}', null])).rejects.toMatchObject({
      code: "23505",
      constraint: "idx_request_id",
    });
    await expect(client.query(INSERT, ["d3", "c2", 1, "{}", null])).rejects.toMatchObject({
      code: "23505",
      constraint: "idx_conversation_seq",
    });
    // The same request id in another conversation, and events without one, are fine.
    await client.query(INSERT, ["d4", "c3", 1, '{"request_id":"same"}', null]);
    await client.query(INSERT, ["d5", "c2", 2, "{}", null]);
    await client.query(INSERT, ["d6", "c2", 3, "{}", null]);
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM chat_events WHERE conversation_id = 'c2'",
    );
    expect(rows[0]).toEqual({ n: 3 });
  });

  it("keeps request_id stored, so the partial unique index covers it", async () => {
    const { rows } = await client.query(
      `SELECT attname, attgenerated FROM pg_attribute
       WHERE attrelid = 'chat_events'::regclass AND attname IN ('request_id', 'user_request_id') ORDER BY 1`,
    );
    expect(rows).toEqual([
      { attname: "request_id", attgenerated: "s" },
      { attname: "user_request_id", attgenerated: "s" },
    ]);
    const index = await client.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_request_id'");
    expect(index.rows[0]?.indexdef).toMatch(
      /UNIQUE INDEX .* \(conversation_id, request_id\) WHERE \(request_id IS NOT NULL\)/,
    );
  });

  it("applies every migration of the journal once; a second run of the migrator changes nothing", async () => {
    const journal = JSON.parse(readFileSync(join(postgresMigrationsFolder, "meta/_journal.json"), "utf8"));
    await migrate(drizzle({ client }), { migrationsFolder: postgresMigrationsFolder });
    const { rows } = await client.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    expect(rows[0]).toEqual({ n: journal.entries.length });
  });
});
