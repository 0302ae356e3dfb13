import type { EngineChatRepository } from "@chatlog/engine";
import { createTestDatabase, startPostgresCluster, type TestDatabase } from "@chatlog/pg-test-cluster";
import { openChatRepository, SQL } from "@chatlog/postgres";
import pg from "pg";
import { assertSameWork } from "../check.ts";
import { awaitEach, measureSideBySide, type Plan, shortRuns } from "../measure.ts";
import { judge, type LineResult } from "../report.ts";
import { compareWithMastra } from "./mastra.ts";
import { eventValues, INSERT_EVENT, positional, RAW_TYPES, SELECT_EVENTS } from "./raw-pg.ts";

const APPENDERS = 50;
const HISTORY = 200;
const PAGE = 50;
const CONVERSATIONS = 10_000;
const POOL = 8;

export interface PostgresResult {
  lines: LineResult[];
  notes: string[];
}

/**
 * The Postgres lines: @chatlog/postgres against raw node-postgres in the same run, on the same
 * throwaway cluster (started here, fsync off for both), each part on a database of its own. The
 * raw side is the fastest plain use of the same client: one held connection, named prepared
 * statements, int8 and json parsed as the library parses them.
 */
export async function runPostgres(scale: number, plan: Plan): Promise<PostgresResult> {
  const cluster = await startPostgresCluster();
  const databases: TestDatabase[] = [];
  const fresh = async () => {
    const database = await createTestDatabase(cluster.url);
    databases.push(database);
    return database;
  };
  const repos: EngineChatRepository[] = [];
  const pools: pg.Pool[] = [];
  const open = async () => {
    const database = await fresh();
    const repo = await openChatRepository({ connectionString: database.url });
    repos.push(repo);
    const pool = new pg.Pool({ connectionString: database.url, max: POOL, types: RAW_TYPES });
    pools.push(pool);
    return { repo, raw: await pool.connect(), pool };
  };
  try {
    const lines: LineResult[] = [];
    const notes: string[] = [];

    // One awaited append against one awaited raw INSERT of the same columns (the per-call floor).
    const appends = Math.max(100, Math.round(1500 * scale));
    const a = await open();
    let rawSeq = 0;
    const rawInsert = () =>
      a.raw.query({ name: "insert", text: INSERT_EVENT, values: eventValues("raw-append", ++rawSeq) });
    const [libAppend, rawAppend] = await measureSideBySide(
      [
        {
          ops: appends,
          run: awaitEach(appends, (i) =>
            a.repo.addEvent({
              conversationId: "lib-append",
              type: "user_message",
              role: "user",
              content: `message ${i}`,
            }),
          ),
        },
        { ops: appends, run: awaitEach(appends, rawInsert) },
      ],
      shortRuns(plan),
    );
    assertSameWork("events appended", await count(a.pool, "lib-append"), await count(a.pool, "raw-append"));
    lines.push(
      judge({
        operation: "append 1 event, awaited",
        library: libAppend!.opsPerSec,
        baseline: rawAppend!.opsPerSec,
        baselineLabel: "raw INSERT",
        unit: "events/s",
        target: { min: 0.7, text: ">= 0.70 x raw" },
      }),
    );

    // 50 concurrent appenders (each awaiting its own previous append, one conversation each)
    // against that same per-call floor, measured again beside them.
    const perAppender = Math.max(10, Math.round(60 * scale));
    const total = APPENDERS * perAppender;
    let round = 0;
    const [concurrent, floor] = await measureSideBySide(
      [
        {
          ops: total,
          run: async () => {
            const prefix = `lib-group-${round++}`;
            await Promise.all(
              Array.from({ length: APPENDERS }, async (_, caller) => {
                for (let i = 0; i < perAppender; i++) {
                  await a.repo.addEvent({
                    conversationId: `${prefix}-${caller}`,
                    type: "assistant_message",
                    role: "assistant",
                    content: "partial reply text",
                  });
                }
              }),
            );
          },
        },
        { ops: total, run: awaitEach(total, rawInsert) },
      ],
      plan,
    );
    // Concurrency must not cost correctness: every conversation's seqs are 1..n.
    const gaps = await a.pool.query(
      `SELECT count(*) AS n FROM (SELECT conversation_id FROM chat_events WHERE conversation_id LIKE 'lib-group-%'
         GROUP BY conversation_id HAVING count(DISTINCT seq) <> max(seq) OR min(seq) <> 1) g`,
    );
    if (Number(gaps.rows[0]?.n) !== 0)
      throw new Error(`bench: ${gaps.rows[0]?.n} conversations with seq gaps`);
    lines.push(
      judge({
        operation: `${APPENDERS} concurrent appenders`,
        library: concurrent!.opsPerSec,
        baseline: floor!.opsPerSec,
        baselineLabel: "raw per-call floor",
        unit: "events/s",
        target: { min: 4, text: ">= 4x the floor" },
      }),
    );

    // The full history of a 200-event conversation against a raw SELECT of every column.
    const h = await open();
    await Promise.all(
      Array.from({ length: HISTORY }, (_, i) =>
        h.repo.addEvent({
          conversationId: "history",
          type: i % 2 === 0 ? "user_message" : "assistant_message",
          role: i % 2 === 0 ? "user" : "assistant",
          content: `message ${i}: a few words of a chat, with "quotes" and ünïcode`,
          extra: { request_id: `r-${i}`, client: "bench" },
        }),
      ),
    );
    const reads = Math.max(30, Math.round(300 * scale));
    const [libHistory, rawHistory] = await measureSideBySide(
      [
        { ops: reads, run: awaitEach(reads, () => h.repo.getEvents("history")) },
        {
          ops: reads,
          run: awaitEach(reads, () =>
            h.raw.query({ name: "history", text: SELECT_EVENTS, values: ["history"] }),
          ),
        },
      ],
      shortRuns(plan),
    );
    const [sample] = (await h.raw.query(SELECT_EVENTS, ["history"])).rows;
    if ((await h.repo.getEvents("history")).length !== HISTORY || sample === undefined) {
      throw new Error("bench: the history conversation is not 200 events");
    }
    lines.push(
      judge({
        operation: `history: all ${HISTORY} events of a conversation`,
        library: libHistory!.opsPerSec,
        baseline: rawHistory!.opsPerSec,
        baselineLabel: "raw SELECT",
        unit: "reads/s",
        target: { min: 0.7, text: ">= 0.70 x raw" },
      }),
    );

    // The first page of 50 out of 10k conversations (2 events each), newest activity first.
    const l = await open();
    const conversations = Math.max(1000, Math.round(CONVERSATIONS * scale));
    for (let start = 0; start < conversations; start += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, conversations - start) }, async (_, k) => {
          const conversationId = `conv-${start + k}`;
          await l.repo.addEvent({ conversationId, type: "user_message", role: "user", content: "hello" });
          await l.repo.addEvent({
            conversationId,
            type: "assistant_message",
            role: "assistant",
            content: "hi",
          });
        }),
      );
    }
    const pages = Math.max(30, Math.round(300 * scale));
    // The library's own statement, with the arguments it passes for a first page of PAGE.
    const list = positional(SQL.listConversations.sql, {
      cursor_ms: Number.MAX_VALUE,
      cursor_id: "",
      limit: PAGE + 1,
      owner_id: null,
    });
    const [libList, rawList] = await measureSideBySide(
      [
        { ops: pages, run: awaitEach(pages, () => l.repo.listConversations({ limit: PAGE })) },
        {
          ops: pages,
          run: awaitEach(pages, () => l.raw.query({ name: "list", ...list })),
        },
      ],
      shortRuns(plan),
    );
    lines.push(
      judge({
        operation: `listConversations page ${PAGE} @${Math.round(conversations / 1000)}k convs`,
        library: libList!.opsPerSec,
        baseline: rawList!.opsPerSec,
        baselineLabel: "raw SELECT",
        unit: "pages/s",
      }),
    );

    for (const client of [a.raw, h.raw, l.raw]) client.release();

    // Mastra's @mastra/pg on the workload its users run: threads of single-message saves.
    const mastra = await compareWithMastra(
      (await fresh()).url,
      (await fresh()).url,
      Math.max(20, Math.round(200 * scale)),
    );
    lines.push(...mastra.lines);
    notes.push(...mastra.notes);
    return { lines, notes };
  } finally {
    for (const repo of repos) await repo.close().catch(() => {});
    for (const pool of pools) await pool.end().catch(() => {});
    for (const database of databases) await database.drop().catch(() => {});
    cluster.stop();
  }
}

async function count(pool: pg.Pool, conversationPrefix: string): Promise<number> {
  const { rows } = await pool.query("SELECT count(*) AS n FROM chat_events WHERE conversation_id LIKE $1", [
    `${conversationPrefix}%`,
  ]);
  return Number(rows[0]?.n);
}
