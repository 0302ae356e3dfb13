import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startHranaServer } from "@chatlog/hrana-server";
import { openChatRepository } from "@chatlog/libsql";
import { createClient } from "@libsql/client";
import { awaitEach, measureSideBySide, median, type Plan } from "./measure.ts";
import { judge, type LineResult } from "./report.ts";

/** Simulated network latency per HTTP request, added by the server before it runs anything. */
export const REMOTE_LATENCY_MS = 5;
const APPENDERS = 50;
const HISTORY_EVENTS = 200;

export interface RemoteResult {
  lines: LineResult[];
  /** Facts printed under the table (round trips counted by the server). */
  notes: string[];
}

/**
 * Remote mode: @chatlog/libsql over HTTP against the Hrana test server (in this process) with
 * REMOTE_LATENCY_MS on every request. With a round trip per write, one awaited caller is bound
 * by latency; group commit folds the writes of 50 concurrent callers into one batch request,
 * so they should reach >= 10x its throughput. The history read must be one round trip: the
 * server's counter says how many it took, and its time is set against a bare round trip
 * (`SELECT 1`) measured in the same run.
 */
export async function runRemote(scale: number, plan: Plan): Promise<RemoteResult> {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-bench-remote-"));
  const server = await startHranaServer({ file: join(dir, "remote.db") });
  const repo = await openChatRepository({ url: server.url });
  const bare = createClient({ url: server.url });
  try {
    await server.setDelay(REMOTE_LATENCY_MS);
    const perAppender = Math.max(4, Math.round(20 * scale));
    const concurrentTotal = APPENDERS * perAppender;
    const single = Math.max(20, Math.round(100 * scale));
    const append = (conversationId: string) =>
      repo.addEvent({
        conversationId,
        type: "assistant_message",
        role: "assistant",
        content: "partial reply",
      });

    const [alone, grouped] = await measureSideBySide(
      [
        { ops: single, run: awaitEach(single, () => append("alone")) },
        {
          ops: concurrentTotal,
          run: () =>
            Promise.all(
              Array.from({ length: APPENDERS }, async (_, a) => {
                for (let i = 0; i < perAppender; i++) await append(`grouped-${a}`);
              }),
            ).then(() => undefined),
        },
      ],
      plan,
    );

    // 200 events in one conversation, then timed history reads, each counted by the server.
    await Promise.all(
      Array.from({ length: HISTORY_EVENTS }, (_, i) =>
        repo.addEvent({ conversationId: "history", type: "user_message", role: "user", content: `m${i}` }),
      ),
    );
    const reads = Math.max(5, Math.round(20 * scale));
    const readMs: number[] = [];
    const bareMs: number[] = [];
    let roundTrips = 0;
    let returned = 0;
    for (let i = 0; i < reads; i++) {
      await server.resetStats();
      let t = performance.now();
      returned = (await repo.getConversationHistory("history", { limit: HISTORY_EVENTS })).length;
      readMs.push(performance.now() - t);
      roundTrips = Math.max(roundTrips, (await server.stats()).pipelines);
      t = performance.now();
      await bare.execute("SELECT 1");
      bareMs.push(performance.now() - t);
    }
    if (returned !== HISTORY_EVENTS) throw new Error(`bench: history returned ${returned} events`);

    const lines = [
      judge({
        operation: `remote (${REMOTE_LATENCY_MS} ms/request) append, 1 awaited caller`,
        library: alone!.opsPerSec,
        baseline: 1000 / REMOTE_LATENCY_MS,
        baselineLabel: "1 per latency",
        unit: "events/s",
      }),
      judge({
        operation: `remote group commit, ${APPENDERS} appenders vs 1 awaited`,
        library: grouped!.opsPerSec,
        baseline: alone!.opsPerSec,
        baselineLabel: "lib, 1 caller",
        unit: "events/s",
        target: { min: 10, text: ">= 10x single appender" },
      }),
      judge({
        operation: `remote history read, ${HISTORY_EVENTS} events (ms)`,
        library: median(readMs),
        baseline: median(bareMs),
        baselineLabel: "bare SELECT 1",
        unit: "ms",
      }),
      judge({
        operation: `remote history read, ${HISTORY_EVENTS} events: HTTP requests`,
        library: roundTrips,
        baseline: 1,
        baselineLabel: "one round trip",
        unit: "requests",
        target: { max: 1, text: "exactly 1 round trip" },
      }),
    ];
    const notes = [
      `remote history read of ${HISTORY_EVENTS} events: ${roundTrips} HTTP round trip(s) (counted by the server), median ${median(readMs).toFixed(1)} ms`,
    ];
    return { lines, notes };
  } finally {
    bare.close();
    await repo.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
