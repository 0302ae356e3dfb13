/**
 * Benchmark: how long GET /healthz takes while the server streams many turns at once.
 *
 * The real server runs as a child process (the same command the tests use) on a fresh file
 * database with the offline model streaming a long reply (15 ms between words). This process
 * opens STREAMS concurrent `/v1` turns, reads them to the end, and meanwhile asks /healthz every
 * POLL_MS on a connection of its own, timing each answer. The idle figures are taken first, on
 * the same server. A health probe with a 5 s timeout must never fail; the p99 is what to read.
 * Usage: pnpm bench:server   (or: tsx bench/healthz-under-load.ts [streams] [words])
 */
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnServer } from "../test/helpers/child-server.ts";

const STREAMS = Number(process.argv[2] ?? 1000);
const WORDS = Number(process.argv[3] ?? 300);
const POLL_MS = 100;
/** A health probe's usual timeout: an answer slower than this is a failed probe. */
const PROBE_TIMEOUT_MS = 5000;

/** One GET /healthz on a fresh connection; its time in ms (Infinity when it timed out). */
function probe(url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get(`${url}/healthz`, { agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200 ? performance.now() - started : Infinity));
    });
    req.on("timeout", () => {
      req.destroy();
      resolve(Infinity);
    });
    req.on("error", () => resolve(Infinity));
  });
}

/** One /v1 turn, read to its end; resolves with the bytes received. */
function turn(url: string, i: number, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ content: `stream ${i}`, requestId: `load-${i}` });
    const req = http.request(
      `${url}/v1/conversations/load-${i}/turns`,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on("end", () => resolve(bytes));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const failed = sorted.filter((ms) => !Number.isFinite(ms)).length;
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : `> ${PROBE_TIMEOUT_MS} ms`);
  return `n=${sorted.length} median ${ms(at(0.5))} p99 ${ms(at(0.99))} max ${ms(at(1))}, failed probes ${failed}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-healthz-"));
  const server = await spawnServer({
    DATABASE_URL: `file:${join(dir, "chat.db")}`,
    CHATLOG_OFFLINE_DELAY_MS: "15",
    CHATLOG_OFFLINE_REPLY_WORDS: String(WORDS),
    // An unbuilt server runs from its sources, as this script does.
    NODE_OPTIONS: `--conditions=@chatlog/source ${process.env.SERVER_NODE_OPTIONS ?? ""}`,
  });
  try {
    const idle: number[] = [];
    for (let i = 0; i < 30; i++) {
      idle.push(await probe(server.url));
      await sleep(POLL_MS / 2);
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    const started = performance.now();
    let running = true;
    const loaded: number[] = [];
    const poller = (async () => {
      while (running) {
        loaded.push(await probe(server.url));
        await sleep(POLL_MS);
      }
    })();
    const bytes = await Promise.all(Array.from({ length: STREAMS }, (_, i) => turn(server.url, i, agent)));
    running = false;
    await poller;
    agent.destroy();
    const seconds = (performance.now() - started) / 1000;
    console.log(`/healthz, server idle:                  ${summary(idle)}`);
    console.log(`/healthz, ${STREAMS} concurrent streams: ${summary(loaded)}`);
    console.log(
      `  (${STREAMS} turns of ${WORDS} words in ${seconds.toFixed(1)} s, ${(bytes.reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} MB streamed)`,
    );
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
