// Which Postgres client the driver should be built on: node-postgres (`pg`, pure JS) against
// postgres.js (`postgres`), measured on a throwaway cluster on this machine, both on the real
// chat_events table (the Postgres migrations), both with pools of 8 connections, both preparing
// their statements and reading int8 as numbers and json as text. Run with
// `pnpm --filter @chatlog/bench bench:pg-clients [-- --quick]`; the figures go in the README.
import { createTestDatabase, startPostgresCluster } from "@chatlog/pg-test-cluster";
import { postgresMigrationsFolder } from "@chatlog/schema";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import postgres from "postgres";
import { measureSideBySide } from "../measure.ts";
import { benchPool } from "./bench-pool.ts";
import { EVENT_JSON, eventValues, INSERT_EVENT, RAW_TYPES, SELECT_EVENTS } from "./raw-pg.ts";

const quick = process.argv.includes("--quick");
const scale = quick ? 0.1 : 1;
const plan = quick ? { warmup: 1, reps: 3 } : { warmup: 1, reps: 7 };
const POOL = 8;
const APPENDS = Math.round(2000 * scale);
const READS = Math.round(300 * scale);
const CALLERS = 50;
const PER_CALLER = Math.max(2, Math.round(40 * scale));
const HISTORY = 200;

const cluster = await startPostgresCluster();
try {
  const database = await createTestDatabase(cluster.url);
  const setup = new pg.Client({ connectionString: database.url });
  await setup.connect();
  await migrate(drizzle({ client: setup }), { migrationsFolder: postgresMigrationsFolder });
  await setup.end();

  const pool = benchPool({ connectionString: database.url, max: POOL, types: RAW_TYPES });
  const sql = postgres(database.url, {
    max: POOL,
    onnotice: () => {},
    types: {
      int8: { to: 20, from: [20], serialize: String, parse: Number },
      json: { to: 114, from: [114], serialize: (text: string) => text, parse: (text: string) => text },
    },
  });
  const viaPg = (text: string, values: unknown[], name: string) => pool.query({ name, text, values });
  const viaPostgresJs = (text: string, values: unknown[]) =>
    sql.unsafe(text, values as never[], { prepare: true });

  // Each workload writes its own conversations, numbered on from where its last run stopped.
  let run = 0;
  const appendRun = (insert: (values: unknown[]) => Promise<unknown>) => async () => {
    const conversation = `append-${run++}`;
    for (let seq = 1; seq <= APPENDS; seq++) await insert(eventValues(conversation, seq, EVENT_JSON));
  };
  const concurrentRun = (insert: (values: unknown[]) => Promise<unknown>) => async () => {
    const prefix = `callers-${run++}`;
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, caller) => {
        for (let seq = 1; seq <= PER_CALLER; seq++)
          await insert(eventValues(`${prefix}-${caller}`, seq, EVENT_JSON));
      }),
    );
  };
  const readRun = (read: () => Promise<unknown[]>) => async () => {
    for (let i = 0; i < READS; i++) {
      const rows = await read();
      if (rows.length !== HISTORY) throw new Error(`read ${rows.length} rows, not ${HISTORY}`);
    }
  };

  for (let seq = 1; seq <= HISTORY; seq++)
    await viaPg(INSERT_EVENT, eventValues("history", seq, EVENT_JSON), "insert");

  const pgInsert = (values: unknown[]) => viaPg(INSERT_EVENT, values, "insert");
  // node-postgres's pool checks a client out and back in for every query; a driver could keep one.
  const held = await pool.connect();
  const heldInsert = (values: unknown[]) => held.query({ name: "insert", text: INSERT_EVENT, values });
  const jsInsert = (values: unknown[]) => viaPostgresJs(INSERT_EVENT, values);
  const [arrayRead, heldAppend, heldRead, pgAppend, jsAppend, pgRead, jsRead, pgConcurrent, jsConcurrent] =
    await measureSideBySide(
      [
        {
          ops: READS,
          run: readRun(
            async () =>
              (
                await held.query({
                  name: "history-array",
                  text: SELECT_EVENTS,
                  values: ["history"],
                  rowMode: "array",
                })
              ).rows,
          ),
        },
        { ops: APPENDS, run: appendRun(heldInsert) },
        {
          ops: READS,
          run: readRun(
            async () =>
              (await held.query({ name: "history", text: SELECT_EVENTS, values: ["history"] })).rows,
          ),
        },
        { ops: APPENDS, run: appendRun(pgInsert) },
        { ops: APPENDS, run: appendRun(jsInsert) },
        { ops: READS, run: readRun(async () => (await viaPg(SELECT_EVENTS, ["history"], "history")).rows) },
        { ops: READS, run: readRun(() => viaPostgresJs(SELECT_EVENTS, ["history"])) },
        { ops: CALLERS * PER_CALLER, run: concurrentRun(pgInsert) },
        { ops: CALLERS * PER_CALLER, run: concurrentRun(jsInsert) },
      ],
      plan,
    );

  // Both read the same row the same way.
  const [a] = (await viaPg(SELECT_EVENTS, ["history"], "history")).rows;
  const [b] = await viaPostgresJs(SELECT_EVENTS, ["history"]);
  if (JSON.stringify(a) !== JSON.stringify(b))
    throw new Error(`rows differ:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);

  const line = (
    label: string,
    x: { opsPerSec: number } | undefined,
    y: { opsPerSec: number } | undefined,
    unit: string,
  ) =>
    console.log(
      `${label.padEnd(44)} pg ${x!.opsPerSec.toFixed(0).padStart(7)} ${unit}   postgres.js ${y!.opsPerSec.toFixed(0).padStart(7)} ${unit}   postgres.js/pg ${(y!.opsPerSec / x!.opsPerSec).toFixed(2)}`,
    );
  console.log(`node-postgres vs postgres.js, pools of ${POOL}, ${plan.reps} runs, median`);
  line("one awaited prepared INSERT", pgAppend, jsAppend, "rows/s");
  line(`full read of ${HISTORY} rows (json as text)`, pgRead, jsRead, "reads/s");
  line(`${CALLERS} concurrent callers, awaited INSERTs`, pgConcurrent, jsConcurrent, "rows/s");
  line("one awaited INSERT, pg on one held client", heldAppend, jsAppend, "rows/s");
  line(`read of ${HISTORY} rows, pg on one held client`, heldRead, jsRead, "reads/s");
  line(`read of ${HISTORY} rows, pg held, rowMode array`, arrayRead, jsRead, "reads/s");
  held.release();

  await pool.end();
  await sql.end();
  await database.drop();
} finally {
  cluster.stop();
}
