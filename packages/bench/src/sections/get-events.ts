import { SQL } from "@chatlog/sqlite";
import { seedConversation } from "../fixtures.ts";
import { awaitEach, measureSideBySide } from "../measure.ts";
import type { Section } from "../section.ts";

const EVENTS = 10_000;

/**
 * getEvents with no range: a whole 10k-event conversation read and decoded into ChatEvents,
 * against SQL.eventsForward run raw (rows left as better-sqlite3 returns them). The ratio is the
 * price of decoding (JSON columns, dates) and must stay linear, not a ceiling to reach.
 */
export const getEventsSection: Section = {
  id: "get-events",
  async run(ctx) {
    const { repo, raw } = await ctx.openDatabases("get-events");
    const events = Math.max(500, Math.round(EVENTS * ctx.scale));
    seedConversation(raw, "big", events);
    const calls = 3;
    const forward = raw.stmt(SQL.eventsForward);
    const args = {
      conversation_id: "big",
      after_seq: Number.MIN_SAFE_INTEGER,
      before_seq: Number.MAX_SAFE_INTEGER,
      limit: -1,
      owner_id: null,
    };

    const [lib, base] = await measureSideBySide(
      [
        { ops: calls, run: awaitEach(calls, () => repo.getEvents("big")) },
        {
          ops: calls,
          run: () => {
            for (let i = 0; i < calls; i++) forward.all(args);
          },
        },
      ],
      ctx.plan,
    );

    return [
      {
        operation: `getEvents, all ${Math.round(events / 1000)}k events`,
        library: lib!.opsPerSec,
        baseline: base!.opsPerSec,
        unit: "ops/s",
      },
    ];
  },
};
