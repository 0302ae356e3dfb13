/**
 * Export and import of 100k and 1M events through the real `chatlog` command, each run a child
 * process so its peak memory (maxRSS) is its own. The point: peak memory stays flat as the file
 * grows tenfold (export pages through the database, import streams the file line by line).
 *
 * Usage: pnpm --filter @chatlog/cli bench [--sizes 100000,1000000]
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { eventLine, headerLine } from "../src/jsonl-format.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
// The compiled bin, as installed (`pnpm bench:cli` builds it first).
const BIN = join(HERE, "..", "dist", "main.js");
const RSS_PRELOAD = pathToFileURL(join(HERE, "report-rss.mjs")).href;
const EVENTS_PER_CONVERSATION = 1000;

interface ChildRun {
  seconds: number;
  maxRssKiB: number;
}

/** Runs `chatlog <args>` in a child process and returns its wall time and peak RSS. */
async function runChild(args: string[], work: string): Promise<ChildRun> {
  const rssFile = join(work, `rss-${process.hrtime.bigint()}`);
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--import", RSS_PRELOAD, BIN, ...args], {
    env: { ...process.env, CHATLOG_BENCH_RSS_FILE: rssFile, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const [code] = (await once(child, "close")) as [number | null];
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`chatlog ${args.join(" ")} exited with ${code}:\n${stderr}`);
  return { seconds, maxRssKiB: Number(readFileSync(rssFile, "utf8")) };
}

/** Writes an export file of `count` realistic events (a tool round trip every few turns). */
async function generate(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const base = Date.parse("2025-01-01T00:00:00.000Z");
  let chunk = `${headerLine(new Date(base))}\n`;
  for (let i = 0; i < count; i++) {
    const conversation = Math.floor(i / EVENTS_PER_CONVERSATION);
    const seq = (i % EVENTS_PER_CONVERSATION) + 1;
    const kind = seq % 6;
    const callId = `call-${conversation}-${seq - (kind === 3 ? 1 : 0)}`;
    chunk += `${eventLine({
      id: `bench-${i.toString(36).padStart(8, "0")}`,
      conversationId: `conversation-${conversation}`,
      seq,
      schemaVersion: 1,
      type:
        kind === 1
          ? "user_message"
          : kind === 2
            ? "tool_call"
            : kind === 3
              ? "tool_result"
              : "assistant_message",
      role: kind === 1 ? "user" : kind === 3 ? "tool" : "assistant",
      content:
        kind === 2
          ? null
          : kind === 0
            ? [
                { type: "text", text: `Part one of reply ${i}.` },
                { type: "text", text: "Part two, a little longer." },
              ]
            : `Message ${i} in conversation ${conversation}: some text of ordinary length for a chat turn.`,
      toolCalls:
        kind === 2 ? [{ id: callId, name: "get_weather", arguments: { city: "Paris", unit: "C" } }] : [],
      usage: kind === 4 ? { inputTokens: 120, outputTokens: 40 } : null,
      provider: kind === 1 || kind === 3 ? null : "openai",
      model: kind === 1 || kind === 3 ? null : "gpt-4o-mini",
      stopReason: kind === 2 ? "tool_calls" : kind === 4 ? "stop" : null,
      tokenCount: kind === 4 ? 160 : null,
      createdAt: new Date(base + i * 10),
      extra: kind === 1 ? { request_id: `req-${i}` } : kind === 3 ? { tool_call_id: callId } : {},
      raw: null,
    })}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const _ of createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    lines++;
  }
  return lines;
}

interface SizeResult {
  events: number;
  fileMiB: number;
  importRun: ChildRun;
  exportRun: ChildRun;
}

async function measure(events: number, work: string): Promise<SizeResult> {
  const source = join(work, `source-${events}.jsonl`);
  const db = join(work, `db-${events}.sqlite`);
  const exported = join(work, `export-${events}.jsonl`);
  process.stderr.write(`  ${events.toLocaleString("en-US")} events: generating...`);
  await generate(source, events);
  process.stderr.write(" importing...");
  const importRun = await runChild(["import", source, "--db", db], work);
  process.stderr.write(" exporting...");
  const exportRun = await runChild(["export", "-o", exported, "--db", db], work);
  const lines = await countLines(exported);
  if (lines !== events + 1) throw new Error(`export of ${events} events wrote ${lines - 1} event lines`);
  process.stderr.write(" done\n");
  const fileMiB = statSync(source).size / 2 ** 20;
  for (const file of [source, exported, db, `${db}-wal`, `${db}-shm`]) rmSync(file, { force: true });
  return { events, fileMiB, importRun, exportRun };
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const rate = (events: number, run: ChildRun) =>
  `${Math.round(events / run.seconds).toLocaleString("en-US")}/s`;

async function main(): Promise<void> {
  // pnpm passes a `--` separator through to the script; it is not an argument.
  const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
  const { values } = parseArgs({
    args,
    options: { sizes: { type: "string", default: "100000,1000000" } },
    strict: true,
  });
  const sizes = values.sizes.split(",").map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new Error("--sizes must be a comma-separated list of positive integers");
  }
  const work = mkdtempSync(join(tmpdir(), "chatlog-bench-cli-"));
  try {
    process.stderr.write("chatlog export/import benchmark (each step a child process)\n");
    // The floor every run pays: Node and the compiled CLI's modules, doing nothing.
    const idle = await runChild(["--help"], work);
    const results: SizeResult[] = [];
    for (const events of sizes) results.push(await measure(events, work));

    const rows = [
      ["events", "file", "import", "import peak RSS", "export", "export peak RSS"],
      ...results.map((r) => [
        r.events.toLocaleString("en-US"),
        `${r.fileMiB.toFixed(0)} MiB`,
        `${rate(r.events, r.importRun)} (${r.importRun.seconds.toFixed(1)} s)`,
        mib(r.importRun.maxRssKiB),
        `${rate(r.events, r.exportRun)} (${r.exportRun.seconds.toFixed(1)} s)`,
        mib(r.exportRun.maxRssKiB),
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    console.log();
    for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
    console.log(
      `\nbaseline: \`chatlog --help\` peaks at ${mib(idle.maxRssKiB)} (Node + the compiled CLI, idle)`,
    );

    const small = results[0]!;
    const large = results.at(-1)!;
    if (large !== small) {
      const factor = large.events / small.events;
      const ratio = (a: number, b: number) => (a / b).toFixed(2);
      console.log(
        `\n${large.events.toLocaleString("en-US")} vs ${small.events.toLocaleString("en-US")} events (${factor}x the data):`,
      );
      console.log(
        `  peak RSS ratio   import ${ratio(large.importRun.maxRssKiB, small.importRun.maxRssKiB)}x, ` +
          `export ${ratio(large.exportRun.maxRssKiB, small.exportRun.maxRssKiB)}x  (flat = 1.00x; proportional = ${factor}x)`,
      );
      console.log(
        `  throughput ratio import ${ratio(large.events / large.importRun.seconds, small.events / small.importRun.seconds)}x, ` +
          `export ${ratio(large.events / large.exportRun.seconds, small.events / small.exportRun.seconds)}x`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
