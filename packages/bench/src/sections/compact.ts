import { ASSISTANT_DELTA_KIND, assistantRequestId } from "@chatlog/core";
import { SQL } from "@chatlog/sqlite";
import { assertSameWork, countEvents } from "../check.ts";
import { measureSideBySide, shortRuns } from "../measure.ts";
import { bulkInsert, type RawDb, type RawRow, rawRow } from "../raw-db.ts";
import type { Section } from "../section.ts";

const DELTAS = 500;

/** A user message and its streamed reply as DELTAS meta events, written before each timed run. */
function streamedTurn(conversationId: string, requestId: string): RawRow[] {
  const rows = [
    rawRow(conversationId, "user_message", "user", "Tell me a long story.", { request_id: requestId }),
  ];
  for (let i = 0; i < DELTAS; i++) {
    rows.push(
      rawRow(conversationId, "meta", null, `token ${i} `, {
        kind: ASSISTANT_DELTA_KIND,
        user_request_id: requestId,
      }),
    );
  }
  return rows;
}

/** The library's compaction job (append the reply, delete the deltas, read the reply back), by hand. */
function rawCompact(raw: RawDb, conversationId: string, requestId: string, content: string): void {
  const append = raw.stmt(SQL.append);
  const deleteDeltas = raw.stmt(SQL.deleteDeltas);
  const readBack = raw.stmt(SQL.byRequestId);
  raw.db
    .transaction(() => {
      const reply = rawRow(conversationId, "assistant_message", "assistant", content, {
        user_request_id: requestId,
        request_id: assistantRequestId(requestId),
      });
      append.all({ ...reply, model: "bench-model" });
      deleteDeltas.run({
        conversation_id: conversationId,
        user_request_id: requestId,
        kind: ASSISTANT_DELTA_KIND,
        attempt: 1,
        owner_id: null,
      });
      readBack.all({
        conversation_id: conversationId,
        request_id: assistantRequestId(requestId),
        owner_id: null,
      });
    })
    .immediate();
}

/**
 * compactDeltas on a 500-delta turn: one write job (INSERT the final reply, DELETE the deltas,
 * SELECT it back) against the same three statements in one raw IMMEDIATE transaction. The turn
 * is written, untimed, before every run, for both sides alike.
 */
export const compactSection: Section = {
  id: "compact",
  async run(ctx) {
    const { repo, raw } = await ctx.openDatabases("compact");
    const finalText = "Once upon a time ".repeat(200);
    let turn = 0;
    let libRequest = "";
    let rawRequest = "";
    // One compaction per run is quick, so more runs than elsewhere steady the median cheaply.
    const plan = shortRuns(shortRuns(ctx.plan));

    const [lib, base] = await measureSideBySide(
      [
        {
          ops: 1,
          prepare: () => {
            libRequest = `lib-turn-${turn++}`;
            bulkInsert(raw, streamedTurn("lib-compact", libRequest));
          },
          run: async () => {
            await repo.compactDeltas("lib-compact", libRequest, finalText, "bench-model");
          },
        },
        {
          ops: 1,
          prepare: () => {
            rawRequest = `raw-turn-${turn++}`;
            bulkInsert(raw, streamedTurn("raw-compact", rawRequest));
          },
          run: () => rawCompact(raw, "raw-compact", rawRequest, finalText),
        },
      ],
      plan,
    );

    assertSameWork(
      "deltas left",
      countEvents(raw, "lib-compact", "meta"),
      countEvents(raw, "raw-compact", "meta"),
    );
    assertSameWork(
      "replies written",
      countEvents(raw, "lib-compact", "assistant_message"),
      countEvents(raw, "raw-compact", "assistant_message"),
    );
    if (countEvents(raw, "lib-compact", "meta") !== 0)
      throw new Error("bench: compaction left deltas behind");

    return [
      {
        operation: `compactDeltas (${DELTAS} deltas)`,
        library: lib!.opsPerSec,
        baseline: base!.opsPerSec,
        unit: "ops/s",
      },
    ];
  },
};
