import { SQL } from "@chatlog/postgres";
import { awaitEach, measureSideBySide, type Plan, shortRuns } from "../measure.ts";
import type { BenchLine } from "../report.ts";
import type { BenchDatabases } from "./bench-databases.ts";
import { positional, SELECT_EVENTS } from "./raw-pg.ts";

const HISTORY = 200;
const PAGE = 50;
const CONVERSATIONS = 10_000;

/**
 * The full history of a 200-event conversation against a raw SELECT of every column, and the
 * first page of 50 out of 10k conversations against the library's own statement.
 */
export async function readLines(databases: BenchDatabases, scale: number, plan: Plan): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  // The full history of a 200-event conversation against a raw SELECT of every column.
  const h = await databases.open();
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
  lines.push({
    operation: `history: all ${HISTORY} events of a conversation`,
    library: libHistory!.opsPerSec,
    baseline: rawHistory!.opsPerSec,
    baselineLabel: "raw SELECT",
    unit: "reads/s",
    target: { min: 0.7, text: ">= 0.70 x raw" },
  });

  // The first page of 50 out of 10k conversations (2 events each), newest activity first.
  const l = await databases.open();
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
  lines.push({
    operation: `listConversations page ${PAGE} @${Math.round(conversations / 1000)}k convs`,
    library: libList!.opsPerSec,
    baseline: rawList!.opsPerSec,
    baselineLabel: "raw SELECT",
    unit: "pages/s",
  });
  return lines;
}
