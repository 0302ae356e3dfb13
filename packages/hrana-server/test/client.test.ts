import { createClient, LibsqlError } from "@libsql/client";
import Database from "libsql";
import { describe, expect, it } from "vitest";
import { serversPerTest } from "./temp.ts";

const server = serversPerTest();

describe("@libsql/client against the Hrana server", () => {
  it("executes statements with positional and named arguments and round-trips every value type", async () => {
    const s = await server();
    const client = createClient({ url: s.url });
    await client.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)");
    const inserted = await client.execute({
      sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
      args: [9007199254740993n, 1.5, "héllo", new Uint8Array([0, 1, 255]), null],
    });
    expect(inserted.rowsAffected).toBe(1);
    expect(inserted.lastInsertRowid).toBe(1n);
    await client.execute({ sql: "INSERT INTO t (i, s) VALUES (:i, $s)", args: { i: 2, s: "named" } });
    const bigClient = createClient({ url: s.url, intMode: "bigint" });
    const { rows, columns, columnTypes } = await bigClient.execute("SELECT * FROM t ORDER BY rowid");
    expect(columns).toEqual(["i", "r", "s", "b", "n"]);
    expect(columnTypes).toEqual(["INTEGER", "REAL", "TEXT", "BLOB", ""]);
    expect(rows[0]?.i).toBe(9007199254740993n);
    expect(rows[0]?.r).toBe(1.5);
    expect(rows[0]?.s).toBe("héllo");
    expect([...new Uint8Array(rows[0]?.b as ArrayBuffer)]).toEqual([0, 1, 255]);
    expect(rows[0]?.n).toBeNull();
    expect(rows[1]?.s).toBe("named");
    // What the client stored is in the file, read without the server.
    const raw = new Database(s.file);
    expect((raw.prepare("SELECT count(*) AS c FROM t").get() as { c: number }).c).toBe(2);
    raw.close();
    client.close();
    bigClient.close();
  });

  it("a batch is one transaction: a failing step rolls back the earlier ones", async () => {
    const s = await server();
    const client = createClient({ url: s.url });
    await client.execute("CREATE TABLE t (k TEXT PRIMARY KEY)");
    await expect(
      client.batch(["INSERT INTO t VALUES ('a')", "INSERT INTO t VALUES ('a')"], "write"),
    ).rejects.toThrow(/UNIQUE constraint failed/);
    expect((await client.execute("SELECT count(*) AS c FROM t")).rows[0]?.c).toBe(0);
    const results = await client.batch(
      ["INSERT INTO t VALUES ('a')", "INSERT INTO t VALUES ('b') RETURNING k", "SELECT k FROM t ORDER BY k"],
      "write",
    );
    expect(results[1]?.rows.map((r) => r.k)).toEqual(["b"]);
    expect(results[1]?.rowsAffected).toBe(1);
    expect(results[2]?.rows.map((r) => r.k)).toEqual(["a", "b"]);
    client.close();
  });

  it("errors carry sqld's codes", async () => {
    const s = await server();
    const client = createClient({ url: s.url });
    const parse = await client.execute("SELEC 1").catch((e: unknown) => e);
    expect(parse).toBeInstanceOf(LibsqlError);
    expect((parse as LibsqlError).code).toBe("SQL_PARSE_ERROR");
    const missing = await client.execute("SELECT * FROM nowhere").catch((e: unknown) => e);
    expect((missing as LibsqlError).code).toBe("SQLITE_ERROR");
    expect((missing as LibsqlError).message).toMatch(/no such table: nowhere/);
    await client.execute("CREATE TABLE u (k PRIMARY KEY)");
    await client.execute("INSERT INTO u VALUES (1)");
    const dup = await client.execute("INSERT INTO u VALUES (1)").catch((e: unknown) => e);
    expect((dup as LibsqlError).code).toBe("SQLITE_CONSTRAINT");
    client.close();
  });

  it("interactive transactions hold one connection across requests through the baton", async () => {
    const s = await server();
    const client = createClient({ url: s.url });
    await client.execute("CREATE TABLE t (k TEXT)");
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO t VALUES ('inside')");
    // The uncommitted row is visible inside the transaction only.
    expect((await tx.execute("SELECT count(*) AS c FROM t")).rows[0]?.c).toBe(1);
    expect((await client.execute("SELECT count(*) AS c FROM t")).rows[0]?.c).toBe(0);
    expect((await s.stats()).openStreams).toBe(1);
    await tx.rollback();
    expect((await client.execute("SELECT count(*) AS c FROM t")).rows[0]?.c).toBe(0);

    const tx2 = await client.transaction("write");
    await tx2.execute("INSERT INTO t VALUES ('kept')");
    await tx2.commit();
    expect((await client.execute("SELECT k FROM t")).rows.map((r) => r.k)).toEqual(["kept"]);
    expect((await s.stats()).openStreams).toBe(0);
    client.close();
  });

  it("a writer waiting for another stream's transaction is not blocked forever: it runs after the commit", async () => {
    const s = await server();
    const client = createClient({ url: s.url });
    await client.execute("CREATE TABLE t (k TEXT)");
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO t VALUES ('first')");
    const waiting = client.execute("INSERT INTO t VALUES ('second')");
    await new Promise((r) => setTimeout(r, 50));
    await tx.commit();
    await waiting;
    expect((await client.execute("SELECT k FROM t ORDER BY rowid")).rows.map((r) => r.k)).toEqual([
      "first",
      "second",
    ]);
    client.close();
  });

  it("executeMultiple uses the sequence request", async () => {
    const s = await server();
    const client = createClient({ url: s.url });
    await client.executeMultiple("CREATE TABLE a (x); CREATE TABLE b (y); INSERT INTO a VALUES (1);");
    expect((await client.execute("SELECT x FROM a")).rows[0]?.x).toBe(1);
    expect((await s.stats()).requests.sequence).toBe(1);
    client.close();
  });

  it("counts pipeline HTTP requests: one execute is one request (with a close inside it)", async () => {
    const s = await server();
    const client = createClient({ url: s.url });
    await client.execute("SELECT 1");
    const stats = await s.stats();
    expect(stats.pipelines).toBe(1);
    expect(stats.requests).toEqual({ execute: 1, close: 1 });
    await s.resetStats();
    await client.batch(["SELECT 1", "SELECT 2"], "write");
    expect((await s.stats()).pipelines).toBe(1);
    client.close();
  });

  it("checks the bearer token when one is configured", async () => {
    const s = await server({ authToken: "sekret" });
    const good = createClient({ url: s.url, authToken: "sekret" });
    expect((await good.execute("SELECT 1 AS one")).rows[0]?.one).toBe(1);
    const wrong = await createClient({ url: s.url, authToken: "nope" })
      .execute("SELECT 1")
      .catch((e: unknown) => e);
    expect((wrong as LibsqlError).code).toBe("AUTH_JWT_INVALID");
    const none = await createClient({ url: s.url })
      .execute("SELECT 1")
      .catch((e: unknown) => e);
    expect((none as LibsqlError).code).toBe("AUTH_JWT_MISSING");
    expect((await s.stats()).unauthorized).toBe(2);
    good.close();
  });

  it("an idle stream expires: its transaction is rolled back and the next use is told so", async () => {
    const s = await server({ streamExpiryMs: 100 });
    const client = createClient({ url: s.url });
    await client.execute("CREATE TABLE t (k TEXT)");
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO t VALUES ('lost')");
    await new Promise((r) => setTimeout(r, 300));
    const error = await tx.commit().catch((e: unknown) => e);
    expect((error as LibsqlError).code).toBe("STREAM_EXPIRED");
    expect((await client.execute("SELECT count(*) AS c FROM t")).rows[0]?.c).toBe(0);
    // Its lock went with it: another writer gets in at once.
    await client.execute("INSERT INTO t VALUES ('next')");
    client.close();
  });

  it("simulated latency applies to every pipeline request", async () => {
    const s = await server({ delayMs: 40 });
    const client = createClient({ url: s.url });
    const start = performance.now();
    await client.execute("SELECT 1");
    expect(performance.now() - start).toBeGreaterThanOrEqual(35);
    client.close();
  });

  it("injected 5xx answers reach the client as SERVER_ERROR", async () => {
    const s = await server();
    const client = createClient({ url: s.url });
    await s.failNext({ count: 1, status: 502 });
    const error = await client.execute("SELECT 1").catch((e: unknown) => e);
    expect((error as LibsqlError).code).toBe("SERVER_ERROR");
    expect((await client.execute("SELECT 1 AS ok")).rows[0]?.ok).toBe(1);
    client.close();
  });
});
