/**
 * Benchmark: 20 concurrent turns of 500 deltas each from the offline model at full speed
 * (no delay), with delta persistence ON (the normal path: every delta appended, then compacted)
 * and OFF (the same turn engine with a no-op store), in the same run, on both drivers.
 *
 * It drives the turn engine in-process (TurnService, as the HTTP route does, minus the socket),
 * so the figures compare persistence against streaming alone rather than against HTTP overhead.
 * Each configuration runs a warm-up round, then ROUNDS measured rounds alternating ON and OFF;
 * the median round is reported. The /api/chat lines read the same turns through the UI message
 * stream view (chunks, JSON, SSE framing, bytes), as the route sends them.
 * Usage: pnpm bench:server   (or: tsx bench/turns.ts [turns] [deltas])
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatRepository } from "@chatlog/core";
import type { DriverName } from "../src/config.ts";
import { uiMessageStream } from "../src/http/ui-message-stream.ts";
import { createLogger } from "../src/logging.ts";
import { OfflineModel } from "../src/models/offline-model.ts";
import { openRepository } from "../src/open-repository.ts";
import type { TurnEvent } from "../src/turns/turn-events.ts";
import { TurnService } from "../src/turns/turn-service.ts";

const TURNS = Number(process.argv[2] ?? 20);
const DELTAS = Number(process.argv[3] ?? 500);
const ROUNDS = 5;

interface RoundResult {
  deltas: number;
  ms: number;
  /** Time until the last delta reached its reader (the stream itself, before the final commit). */
  streamMs: number;
}

/** Counts the delta rows the turn store writes (it folds the deltas of one event-loop tick into one row). */
function countingDeltaRows(repo: ChatRepository): { repo: ChatRepository; rows: () => number } {
  let rows = 0;
  const wrapped = new Proxy(repo, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === "addEvent") {
        return (event: Parameters<ChatRepository["addEvent"]>[0]) => {
          if (event.type === "meta") rows++;
          return target.addEvent(event);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { repo: wrapped, rows: () => rows };
}

/** How a round reads each turn: the TurnEvents themselves, or the /api/chat UI message stream bytes. */
type View = "events" | "ui";

/** Reads one turn as the /api/chat route does (the UI message stream, SSE-framed); counts text deltas. */
async function readUiStream(events: AsyncGenerator<TurnEvent>, onDelta: () => void): Promise<number> {
  const reader = uiMessageStream(events).pipeThrough(new TextDecoderStream()).getReader();
  let deltas = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return deltas;
    if (value.includes('"type":"error"')) throw new Error(value);
    const found = value.split('"type":"text-delta"').length - 1;
    if (found > 0) {
      deltas += found;
      onDelta();
    }
  }
}

async function round(
  repo: ChatRepository,
  persist: boolean,
  tag: string,
  view: View = "events",
): Promise<RoundResult> {
  // The reply echoes the prompt, so the padding is sized to make exactly DELTAS words.
  const model = new OfflineModel({ delayMs: 0, replyWords: DELTAS });
  const turns = new TurnService({
    repo,
    model,
    modelId: model.modelId,
    systemPrompt: "bench",
    logger: createLogger("silent"),
    persistDeltas: persist,
    followPollMs: 100,
    claims: { staleMs: 60_000, heartbeatMs: 10_000 },
  });
  const started = performance.now();
  let lastDelta = started;
  const counts = await Promise.all(
    Array.from({ length: TURNS }, async (_, i) => {
      const { events } = await turns.open({
        conversationId: `${tag}-c${i}`,
        requestId: `${tag}-r${i}`,
        content: "go",
      });
      if (view === "ui") {
        return readUiStream(events.subscribe(), () => {
          lastDelta = performance.now();
        });
      }
      let deltas = 0;
      for await (const event of events.subscribe()) {
        if (event.type === "delta") {
          deltas++;
          lastDelta = performance.now();
        } else if (event.type === "error") {
          throw new Error(`${event.code}: ${event.message}`);
        }
      }
      return deltas;
    }),
  );
  const ms = performance.now() - started;
  return { deltas: counts.reduce((a, b) => a + b, 0), ms, streamMs: lastDelta - started };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function benchDriver(driver: DriverName, view: View) {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-bench-"));
  const opened = await openRepository({
    databaseUrl: `file:${join(dir, "bench.db")}`,
    driver,
    databaseAuthToken: undefined,
  });
  const { repo, rows } = countingDeltaRows(opened);
  try {
    await round(repo, true, "warm-on", view);
    await round(repo, false, "warm-off", view);
    const rowsBefore = rows();
    const on: RoundResult[] = [];
    const off: RoundResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      on.push(await round(repo, true, `on${i}`, view));
      off.push(await round(repo, false, `off${i}`, view));
    }
    const expected = TURNS * DELTAS;
    for (const r of [...on, ...off]) {
      if (r.deltas !== expected) throw new Error(`expected ${expected} deltas, got ${r.deltas}`);
    }
    const rate = (rs: RoundResult[], key: "ms" | "streamMs") =>
      median(rs.map((r) => (r.deltas / r[key]) * 1000));
    const leftover = (await repo.stats()).eventsByType.meta ?? 0;
    if (leftover !== 0) throw new Error(`${leftover} delta rows were not compacted`);
    return {
      label: `${view === "ui" ? "/api/chat " : "/v1 "}${driver}`,
      rowsPerTurn: (rows() - rowsBefore) / (ROUNDS * TURNS),
      onDone: rate(on, "ms"),
      offDone: rate(off, "ms"),
      onStream: rate(on, "streamMs"),
      offStream: rate(off, "streamMs"),
    };
  } finally {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const view of ["events", "ui"] as const) {
  for (const driver of ["better-sqlite3", "libsql"] as const) results.push(await benchDriver(driver, view));
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(9);
console.log(
  `\nserver turns: ${TURNS} concurrent turns x ${DELTAS} deltas, offline model at full speed, in-process TurnService`,
);
console.log("/v1: the turn events; /api/chat: the same turns read as the UI message stream (SSE bytes)");
console.log("deltas/s until every turn's reply is stored (done), median of", ROUNDS, "rounds\n");
console.log(
  "view + driver             persistence ON   persistence OFF   ratio ON/OFF   (stream only: ON / OFF / ratio)   delta rows/turn",
);
for (const r of results) {
  console.log(
    `${r.label.padEnd(25)} ${fmt(r.onDone)}        ${fmt(r.offDone)}         ${(r.onDone / r.offDone).toFixed(2).padStart(5)}` +
      `          ${fmt(r.onStream)} / ${fmt(r.offStream)} / ${(r.onStream / r.offStream).toFixed(2)}` +
      `      ${r.rowsPerTurn.toFixed(1)}`,
  );
}
console.log("\ntarget: ratio >= 0.80");
