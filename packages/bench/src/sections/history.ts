import { SQL } from "@chatlog/sqlite";
import { seedConversation } from "../fixtures.ts";
import { awaitEach, measureSideBySide, shortRuns } from "../measure.ts";
import type { Section } from "../section.ts";

const LIMIT = 50;
const SMALL = 1_000;
const LARGE = 100_000;

/**
 * getConversationHistory(limit 50): the newest 50 LLM-visible events. Its cost should depend on
 * the limit, not on the conversation's length, so a 100k-event conversation is measured beside a
 * 1k-event one in the same file. The raw side runs SQL.history and keeps the rows undecoded.
 */
export const historySection: Section = {
  id: "history",
  async run(ctx) {
    const { repo, raw } = await ctx.openDatabases("history");
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

    const [libSmall, rawSmall, libLarge, rawLarge] = await measureSideBySide(
      [
        { ops: calls, run: awaitEach(calls, () => repo.getConversationHistory("small", { limit: LIMIT })) },
        { ops: calls, run: rawRun("small") },
        { ops: calls, run: awaitEach(calls, () => repo.getConversationHistory("large", { limit: LIMIT })) },
        { ops: calls, run: rawRun("large") },
      ],
      shortRuns(ctx.plan),
    );

    const largeLabel = `${Math.round(large / 1000)}k`;
    return [
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
