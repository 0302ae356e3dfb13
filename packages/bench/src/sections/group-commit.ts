import type { EngineChatRepository } from "@chatlog/engine";
import { assertSameWork, countEvents } from "../check.ts";
import { awaitEach, measureSideBySide } from "../measure.ts";
import { rawRow } from "../raw-db.ts";
import type { BenchLine } from "../report.ts";
import type { Section } from "../section.ts";

const APPENDERS = 50;
const CONTENT = "partial reply text";

function append(repo: EngineChatRepository, conversationId: string) {
  return repo.addEvent({ conversationId, type: "assistant_message", role: "assistant", content: CONTENT });
}

/**
 * APPENDERS concurrent callers, each awaiting its own previous append (a server streaming many
 * replies at once), `perAppender` events each. Conversation ids carry `prefix` and, when
 * `distinct`, the appender's number.
 */
function concurrentAppends(
  repo: EngineChatRepository,
  prefix: string,
  distinct: boolean,
  perAppender: number,
) {
  return async () => {
    await Promise.all(
      Array.from({ length: APPENDERS }, async (_, a) => {
        const conversationId = distinct ? `${prefix}-${a}` : prefix;
        for (let i = 0; i < perAppender; i++) await append(repo, conversationId);
      }),
    );
  };
}

/**
 * Group commit: 50 concurrent appenders against the per-call floor, i.e. the fastest a caller can
 * go committing each event on its own (one prepared autocommit INSERT per event, raw
 * better-sqlite3, same statement, same spread over 50 conversations), and against the bare floor
 * (a table with only a key and a seq index, see bare-db.ts). The library's queue folds
 * concurrent appends into shared transactions, so it should clearly beat that floor. A last
 * line, without target, sets it against the library's own single awaited caller on this driver.
 */
export const groupCommitSection: Section = {
  id: "group-commit",
  async run(ctx) {
    const { repo, raw, bare } = await ctx.openDatabases("group-commit");
    // 6k events a run: enough for steady batches, and libSQL (a few thousand events/s) still
    // finishes the section in well under a minute.
    const perAppender = Math.max(10, Math.round(120 * ctx.scale));
    const total = APPENDERS * perAppender;
    // Throughput is per event, so the single caller needs fewer events for a steady figure.
    const single = Math.round(total / 5);

    const [distinct, same, floor, alone, bareFloor, bareBatched] = await measureSideBySide(
      [
        { ops: total, run: concurrentAppends(repo, "lib-distinct", true, perAppender) },
        { ops: total, run: concurrentAppends(repo, "lib-same", false, perAppender) },
        {
          ops: total,
          run: () => {
            for (let i = 0; i < total; i++) {
              raw.append(rawRow(`raw-${i % APPENDERS}`, "assistant_message", "assistant", CONTENT, {}));
            }
          },
        },
        { ops: single, run: awaitEach(single, () => append(repo, "lib-alone")) },
        {
          ops: total,
          run: () => {
            for (let i = 0; i < total; i++) {
              bare.append(rawRow(`bare-${i % APPENDERS}`, "assistant_message", "assistant", CONTENT, {}));
            }
          },
        },
        {
          ops: total,
          run: () => {
            for (let i = 0; i < total; i += APPENDERS) {
              bare.appendAll(
                Array.from({ length: APPENDERS }, (_, a) =>
                  rawRow(`batched-${a}`, "assistant_message", "assistant", CONTENT, {}),
                ),
              );
            }
          },
        },
      ],
      ctx.plan,
    );

    assertSameWork("events appended", countEvents(raw, "lib-distinct"), countEvents(raw, "raw-"));
    assertSameWork("events appended", countEvents(raw, "lib-same"), countEvents(raw, "raw-"));
    assertSameWork("events appended", countEvents(raw, "lib-distinct"), bare.count("bare-"));
    assertSameWork("events appended", bare.count("bare-"), bare.count("batched-"));
    // Concurrency must not cost correctness: one conversation's seqs stay 1..n with no gap.
    const seqs = raw.db
      .prepare(
        "SELECT COUNT(DISTINCT seq) AS n, MAX(seq) AS top FROM chat_events WHERE conversation_id = 'lib-same'",
      )
      .get() as { n: number; top: number };
    if (seqs.n !== seqs.top || seqs.n !== countEvents(raw, "lib-same")) {
      throw new Error(
        `bench: concurrent appends left seq gaps or duplicates (${seqs.n} distinct, max ${seqs.top})`,
      );
    }

    const target = { min: 2, text: ">= 2x per-call floor" };
    const baselineLabel = "raw per-call floor";
    const lines: BenchLine[] = [
      {
        operation: `group commit, ${APPENDERS} appenders, own convs (vs bare)`,
        library: distinct!.opsPerSec,
        baseline: bareFloor!.opsPerSec,
        baselineLabel: "bare INSERT floor",
        unit: "events/s",
        target: { min: 3, text: ">= 3x bare floor" },
      },
      {
        // No target: the bare table itself, APPENDERS rows per transaction (the most a flush of
        // APPENDERS appends holds), against its own autocommit floor. Nothing that stores at
        // least these rows can beat this ratio; the 3x target above sits near or above it.
        operation: `ceiling: bare INSERT, ${APPENDERS} per transaction (vs bare)`,
        library: bareBatched!.opsPerSec,
        baseline: bareFloor!.opsPerSec,
        baselineLabel: "bare INSERT floor",
        unit: "events/s",
      },
      {
        operation: `group commit, ${APPENDERS} appenders, own conversations`,
        library: distinct!.opsPerSec,
        baseline: floor!.opsPerSec,
        baselineLabel,
        unit: "events/s",
        target,
      },
      {
        operation: `group commit, ${APPENDERS} appenders, one conversation`,
        library: same!.opsPerSec,
        baseline: floor!.opsPerSec,
        baselineLabel,
        unit: "events/s",
        target,
      },
      {
        operation: "group commit (own convs) vs 1 awaited caller",
        library: distinct!.opsPerSec,
        baseline: alone!.opsPerSec,
        baselineLabel: "lib, 1 caller",
        unit: "events/s",
      },
    ];
    return lines;
  },
};
