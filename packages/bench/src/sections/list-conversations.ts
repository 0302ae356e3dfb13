import { SQL } from "@chatlog/sqlite";
import { seedConversations } from "../fixtures.ts";
import { awaitEach, measureSideBySide, shortRuns, type Workload } from "../measure.ts";
import type { Section, SectionContext } from "../section.ts";

const PAGE = 50;
const FEW = 100;
const MANY = 10_000;
const EVENTS_EACH = 3;

/**
 * The same page without titles: the summary rows alone (SQL.listConversations' columns without
 * the two title columns; owner_id is part of every summary since owners), straight from the
 * activity index. What the library's list costs beyond this is the price of its titles (and of
 * its row objects).
 */
const UNTITLED = `SELECT conversation_id, created_at_ms, last_activity_ms, event_count, owner_id FROM chat_conversations
  WHERE listed = 1 AND event_count > 0 AND (last_activity_ms, conversation_id) < (:cursor_ms, :cursor_id)
  ORDER BY last_activity_ms DESC, conversation_id DESC LIMIT :limit`;

/**
 * Library and raw first-page workloads on a database holding `conversations` conversations, and
 * the raw page without titles.
 */
async function firstPage(
  ctx: SectionContext,
  conversations: number,
  calls: number,
): Promise<[Workload, Workload, Workload]> {
  const { repo, raw } = await ctx.openDatabases(`list-${conversations}`);
  seedConversations(raw, conversations, EVENTS_EACH);
  const list = raw.stmt(SQL.listConversations);
  const untitled = raw.db.prepare(UNTITLED);
  // One more row than the page, as the library asks for, to know whether a next page exists.
  const args = { cursor_ms: Number.MAX_SAFE_INTEGER, cursor_id: "", limit: PAGE + 1, owner_id: null };
  return [
    { ops: calls, run: awaitEach(calls, () => repo.listConversations({ limit: PAGE })) },
    {
      ops: calls,
      run: () => {
        for (let i = 0; i < calls; i++) list.all(args);
      },
    },
    {
      ops: calls,
      run: () => {
        for (let i = 0; i < calls; i++) untitled.all(args);
      },
    },
  ];
}

/**
 * listConversations' first page (50, most recently active first) on a database with 100
 * conversations and on one with 10k: served from the activity index, it should not notice the
 * difference. Raw runs SQL.listConversations with the same arguments.
 */
export const listConversationsSection: Section = {
  id: "list-conversations",
  async run(ctx) {
    const many = Math.max(FEW * 10, Math.round(MANY * ctx.scale));
    const calls = Math.max(20, Math.round(250 * ctx.scale));
    const few = await firstPage(ctx, FEW, calls);
    const lots = await firstPage(ctx, many, calls);
    const [libFew, rawFew, , libMany, rawMany, untitledMany] = await measureSideBySide(
      [...few, ...lots],
      shortRuns(ctx.plan),
    );
    const manyLabel = `${Math.round(many / 1000)}k`;
    return [
      {
        operation: "listConversations page 50 @100 convs",
        library: libFew!.opsPerSec,
        baseline: rawFew!.opsPerSec,
        unit: "ops/s",
      },
      {
        operation: `listConversations page 50 @${manyLabel} convs`,
        library: libMany!.opsPerSec,
        baseline: rawMany!.opsPerSec,
        unit: "ops/s",
      },
      {
        operation: `listConversations @${manyLabel} vs @100 (library)`,
        library: libMany!.opsPerSec,
        baseline: libFew!.opsPerSec,
        baselineLabel: "lib @100",
        unit: "ops/s",
        target: { min: 0.5, text: `${manyLabel} within 2x of 100` },
      },
      {
        // What the titles cost: the same page with and without them, both raw. At most 1.2x the
        // time of the list without titles, so at least 1/1.2 of its rate.
        operation: `listConversations @${manyLabel}, titles vs none (raw)`,
        library: rawMany!.opsPerSec,
        baseline: untitledMany!.opsPerSec,
        baselineLabel: "raw, no titles",
        unit: "ops/s",
        target: { min: 1 / 1.2, text: "<= 1.2x the time" },
      },
      {
        operation: `listConversations @${manyLabel}, library vs raw, no titles`,
        library: libMany!.opsPerSec,
        baseline: untitledMany!.opsPerSec,
        baselineLabel: "raw, no titles",
        unit: "ops/s",
      },
    ];
  },
};
