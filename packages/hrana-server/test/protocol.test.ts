import { describe, expect, it } from "vitest";
import { pipeline, serversPerTest, type Wire } from "./temp.ts";

const server = serversPerTest();
const stmt = (sql: string) => ({ sql, args: [], named_args: [], want_rows: true });

describe("Hrana protocol details", () => {
  it("batch step conditions: ok, error, not, and, or", async () => {
    const s = await server();
    const { status, body } = await pipeline(s.url, {
      requests: [
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: stmt("SELECT 1") },
              { stmt: stmt("SELECT nope") },
              { stmt: stmt("SELECT 'after ok'"), condition: { type: "ok", step: 0 } },
              { stmt: stmt("SELECT 'after error'"), condition: { type: "error", step: 1 } },
              { stmt: stmt("SELECT 'skipped'"), condition: { type: "not", cond: { type: "ok", step: 0 } } },
              {
                stmt: stmt("SELECT 'and'"),
                condition: {
                  type: "and",
                  conds: [
                    { type: "ok", step: 0 },
                    { type: "error", step: 1 },
                  ],
                },
              },
              {
                stmt: stmt("SELECT 'or'"),
                condition: {
                  type: "or",
                  conds: [
                    { type: "ok", step: 1 },
                    { type: "ok", step: 4 },
                  ],
                },
              },
            ],
          },
        },
        { type: "close" },
      ],
    });
    expect(status).toBe(200);
    const result = body.results[0].response.result;
    const ran = result.step_results.map((r: Wire) => (r === null ? null : r.rows[0][0].value));
    expect(ran).toEqual(["1", null, "after ok", "after error", null, "and", null]);
    expect(result.step_errors[1].message).toMatch(/no such column: nope/);
    expect(body.baton).toBeNull();
  });

  it("is_autocommit and get_autocommit are version 3 only, as in sqld", async () => {
    const s = await server();
    const v2 = await pipeline(s.url, { requests: [{ type: "get_autocommit" }] });
    expect(v2.status).toBe(400);
    expect(v2.text).toMatch(/only supported in protocol version 3/);
    const v3 = await pipeline(
      s.url,
      {
        requests: [
          { type: "get_autocommit" },
          {
            type: "batch",
            batch: {
              steps: [
                { stmt: stmt("BEGIN") },
                { stmt: stmt("SELECT 'in tx'"), condition: { type: "not", cond: { type: "is_autocommit" } } },
                { stmt: stmt("ROLLBACK") },
                { stmt: stmt("SELECT 'autocommit'"), condition: { type: "is_autocommit" } },
              ],
            },
          },
          { type: "close" },
        ],
      },
      3,
    );
    expect(v3.status).toBe(200);
    expect(v3.body.results[0].response.is_autocommit).toBe(true);
    const steps = v3.body.results[1].response.result.step_results;
    expect(steps[1].rows[0][0].value).toBe("in tx");
    expect(steps[3].rows[0][0].value).toBe("autocommit");
  });

  it("store_sql / close_sql and describe", async () => {
    const s = await server();
    const { body } = await pipeline(s.url, {
      requests: [
        { type: "store_sql", sql_id: 1, sql: "SELECT :a AS a, ? AS b" },
        { type: "describe", sql_id: 1 },
        {
          type: "execute",
          stmt: { sql_id: 1, named_args: [{ name: ":a", value: { type: "text", value: "x" } }] },
        },
        { type: "close_sql", sql_id: 1 },
        { type: "describe", sql: "INSERT INTO t VALUES (1)" },
      ],
    });
    expect(body.results[1].response.result).toMatchObject({
      params: [{ name: ":a" }, { name: null }],
      cols: [{ name: "a" }, { name: "b" }],
      is_explain: false,
      is_readonly: true,
    });
    expect(body.results[2].response.result.rows[0][0]).toEqual({ type: "text", value: "x" });
    // Preparing against a missing table is a statement error, not a protocol error.
    expect(body.results[4].type).toBe("error");
    // The stream stayed open (no close): the next request continues it with the baton.
    const next = await pipeline(s.url, {
      baton: body.baton,
      requests: [{ type: "execute", stmt: { sql_id: 1 } }],
    });
    expect(next.status).toBe(400);
    expect(next.text).toBe("SQL text 1 not found");
  });

  it("a baton can be used once; a forged one is refused", async () => {
    const s = await server();
    const first = await pipeline(s.url, { requests: [{ type: "execute", stmt: stmt("SELECT 1") }] });
    const baton = first.body.baton as string;
    expect(typeof baton).toBe("string");
    const second = await pipeline(s.url, { baton, requests: [{ type: "execute", stmt: stmt("SELECT 2") }] });
    expect(second.status).toBe(200);
    const reused = await pipeline(s.url, { baton, requests: [{ type: "close" }] });
    expect(reused.status).toBe(400);
    expect(reused.text).toBe("Received a baton that has already been used");
    const forged = await pipeline(s.url, { baton: `${baton.slice(0, -2)}xx`, requests: [] });
    expect(forged.text).toBe("Received an invalid baton");
  });

  it("malformed bodies and unknown requests are HTTP 400", async () => {
    const s = await server();
    const bad = await fetch(`${s.url}/v2/pipeline`, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/Cannot deserialize client message from JSON/);
    const unknown = await pipeline(s.url, { requests: [{ type: "teleport" }] });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toBe("StreamRequest type not recognized");
    const badStep = await pipeline(s.url, {
      requests: [
        { type: "batch", batch: { steps: [{ stmt: stmt("SELECT 1"), condition: { type: "ok", step: 0 } }] } },
      ],
    });
    expect(badStep.text).toBe("Invalid reference to step in a batch condition");
  });
});
