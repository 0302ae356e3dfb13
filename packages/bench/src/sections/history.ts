import { SQL } from "@chatlog/sqlite";
import { assertSameWork } from "../check.ts";
import { conversationRows, seedConversation, VISIBLE_TURN } from "../fixtures.ts";
import { awaitEach, measureSideBySide, shortRuns } from "../measure.ts";
import { bulkInsert } from "../raw-db.ts";
import type { Section } from "../section.ts";

const LIMIT = 50;
const SMALL = 1_000;
const LARGE = 100_000;
/** A whole conversation read back: every event of it is LLM-visible. */
const FULL = 200;

/**
 * getConversationHistory(limit 50): the newest 50 LLM-visible events. Its cost should depend on
 * the limit, not on the conversation's length, so a 100k-event conversation is measured beside a
 * 1k-event one in the same file. The raw side runs SQL.history and keeps the rows undecoded.
 * A whole 200-event conversation, read through getConversationHistory and getEvents, is set
 * against the bare floor: a plain SELECT of the same rows plus JSON.parse of their JSON columns.
 */
export const historySection: Section = {
  id: "history",
  async run(ctx) {
    const { repo, raw, bare } = await ctx.openDatabases("history");
    const large = Math.max(SMALL * 2, Math.round(LARGE * ctx.scale));
    seedConversation(raw, "small", SMALL);
    seedConversation(raw, "large", large);
    const calls = Math.max(20, Math.round(150 * ctx.scale));
    const history = raw.stmt(SQL.history);
    const rawRun = (conversationId: string) => () => {
      for (let i = 0; i < calls; i++)
        history.all({
          conversation_id: conversationId,
          limit: LIMIT,
          before_seq: Number.MAX_SAFE_INTEGER,
          owner_id: null,
        });
    };

    bulkInsert(raw, conversationRows("full", FULL, Date.now(), VISIBLE_TURN));
    bare.appendAll(conversationRows("full", FULL, Date.now(), VISIBLE_TURN));
    const readsFull = calls * 4;
    const [libSmall, rawSmall, libLarge, rawLarge, libFull, libFullEvents, bareFull] =
      await measureSideBySide(
        [
          { ops: calls, run: awaitEach(calls, () => repo.getConversationHistory("small", { limit: LIMIT })) },
          { ops: calls, run: rawRun("small") },
          { ops: calls, run: awaitEach(calls, () => repo.getConversationHistory("large", { limit: LIMIT })) },
          { ops: calls, run: rawRun("large") },
          { ops: readsFull, run: awaitEach(readsFull, () => repo.getConversationHistory("full")) },
          { ops: readsFull, run: awaitEach(readsFull, () => repo.getEvents("full")) },
          {
            ops: readsFull,
            run: () => {
              for (let i = 0; i < readsFull; i++) bare.read("full");
            },
          },
        ],
        shortRuns(ctx.plan),
      );

    const read = await repo.getConversationHistory("full");
    assertSameWork("events read", read.length, bare.read("full").length);
    const largeLabel = `${Math.round(large / 1000)}k`;
    const fullTarget = { min: 0.6, text: ">= 0.60 x bare read" };
    return [
      {
        operation: `history, all ${FULL} events (vs bare read)`,
        library: libFull!.opsPerSec,
        baseline: bareFull!.opsPerSec,
        baselineLabel: "SELECT + JSON.parse",
        unit: "ops/s",
        target: fullTarget,
      },
      {
        operation: `getEvents, all ${FULL} events (vs bare read)`,
        library: libFullEvents!.opsPerSec,
        baseline: bareFull!.opsPerSec,
        baselineLabel: "SELECT + JSON.parse",
        unit: "ops/s",
        target: fullTarget,
      },
      {
        operation: "history limit 50 @1k events",
        library: libSmall!.opsPerSec,
        baseline: rawSmall!.opsPerSec,
        unit: "ops/s",
      },
      {
        operation: `history limit 50 @${largeLabel} events`,
        library: libLarge!.opsPerSec,
        baseline: rawLarge!.opsPerSec,
        unit: "ops/s",
      },
      {
        operation: `history @${largeLabel} vs @1k (library)`,
        library: libLarge!.opsPerSec,
        baseline: libSmall!.opsPerSec,
        baselineLabel: "lib @1k",
        unit: "ops/s",
        target: { min: 0.5, text: `${largeLabel} within 2x of 1k` },
      },
    ];
  },
};
