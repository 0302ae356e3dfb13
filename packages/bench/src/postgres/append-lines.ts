import type pg from "pg";
import { assertSameWork } from "../check.ts";
import { awaitEach, measureSideBySide, type Plan, shortRuns } from "../measure.ts";
import type { BenchLine } from "../report.ts";
import type { BenchDatabases } from "./bench-databases.ts";
import { eventValues, INSERT_EVENT } from "./raw-pg.ts";

const APPENDERS = 50;

/**
 * One awaited append against one awaited raw INSERT of the same columns (the per-call floor),
 * then 50 concurrent appenders (each awaiting its own previous append, one conversation each)
 * against that floor, measured again beside them.
 */
export async function appendLines(
  databases: BenchDatabases,
  scale: number,
  plan: Plan,
): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  // One awaited append against one awaited raw INSERT of the same columns (the per-call floor).
  const appends = Math.max(100, Math.round(1500 * scale));
  const a = await databases.open();
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
  lines.push({
    operation: "append 1 event, awaited",
    library: libAppend!.opsPerSec,
    baseline: rawAppend!.opsPerSec,
    baselineLabel: "raw INSERT",
    unit: "events/s",
    target: { min: 0.7, text: ">= 0.70 x raw" },
  });

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
  if (Number(gaps.rows[0]?.n) !== 0) throw new Error(`bench: ${gaps.rows[0]?.n} conversations with seq gaps`);
  lines.push({
    operation: `${APPENDERS} concurrent appenders`,
    library: concurrent!.opsPerSec,
    baseline: floor!.opsPerSec,
    baselineLabel: "raw per-call floor",
    unit: "events/s",
    target: { min: 4, text: ">= 4x the floor" },
  });
  return lines;
}

async function count(pool: pg.Pool, conversationPrefix: string): Promise<number> {
  const { rows } = await pool.query("SELECT count(*) AS n FROM chat_events WHERE conversation_id LIKE $1", [
    `${conversationPrefix}%`,
  ]);
  return Number(rows[0]?.n);
}
