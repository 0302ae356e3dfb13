import { type ChildProcess, spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { bulkInsert, type RawRow, rawRow } from "../raw-db.ts";
import type { BenchLine } from "../report.ts";
import type { Section } from "../section.ts";

const TOTAL = 300_000;
const CONVERSATIONS = 250;
const HOUR = 3_600_000;
const APPENDER = fileURLToPath(new URL("../children/steady-appender.ts", import.meta.url));
const TYPES = [
  ["user_message", "user"],
  ["tool_call", "assistant"],
  ["tool_result", "tool"],
  ["assistant_message", "assistant"],
] as const;

/**
 * 250 conversations of 1200 events in turns of four (user, tool call, tool result, reply); the
 * first 800 of each (whole turns, two thirds) are two days old.
 */
function oldPerConversation(total: number): number {
  const each = total / CONVERSATIONS;
  return Math.floor((each * 2) / 3 / TYPES.length) * TYPES.length;
}

function* agedRows(total: number, now: number): Generator<RawRow> {
  const each = total / CONVERSATIONS;
  const oldCount = oldPerConversation(total);
  for (let c = 0; c < CONVERSATIONS; c++) {
    for (let i = 0; i < each; i++) {
      const at = i < oldCount ? now - 48 * HOUR + c * each + i : now - 60_000 + i;
      const [type, role] = TYPES[i % TYPES.length]!;
      yield rawRow(`aged-${c}`, type, role, `event ${i} of conversation ${c}`, {}, at);
    }
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

function untilLine(child: ChildProcess, predicate: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      // Only complete lines: a long report arrives in several chunks.
      let end = buffer.indexOf("\n");
      while (end >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (predicate(line)) {
          child.stdout?.off("data", onData);
          resolve(line);
          return;
        }
        end = buffer.indexOf("\n");
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`appender exited with ${code} before answering`)));
  });
}

/**
 * Issue 3's load test: runRetention() prunes two thirds of a 300k-event file while another
 * process appends one event at a time. The appender's latency during the prune is compared with
 * its own latency just before, with no prune running (same process, same file, same run).
 */
export const retentionUnderLoadSection: Section = {
  id: "retention",
  async run(ctx) {
    const total =
      Math.round((TOTAL * ctx.scale) / CONVERSATIONS / TYPES.length) * CONVERSATIONS * TYPES.length;
    const { repo, raw, path } = await ctx.openDatabases("retention");
    const now = Date.now();
    bulkInsert(raw, agedRows(total, now));
    raw.db.pragma("wal_checkpoint(TRUNCATE)");

    // The child runs the workspace sources, as this process does (the @chatlog/source condition).
    const args = ["--conditions=@chatlog/source", "--import", "tsx", APPENDER, ctx.driver.name, path];
    const appender = spawn(process.execPath, args, {
      stdio: ["pipe", "pipe", "inherit"],
    });
    await untilLine(appender, (l) => l === "ready");
    await new Promise((resolve) => setTimeout(resolve, 3000 * Math.max(ctx.scale, 0.3)));
    appender.stdin?.write("go\n");

    const started = performance.now();
    // The bench's own repository has no retention options; a second one on the same file runs
    // the policy, as an app's background timer would.
    const pruner = await ctx.driver.open(path, { retention: { maxAgeHours: 24 } });
    const removed = await pruner.runRetention();
    const pruneMs = performance.now() - started;
    await pruner.close();

    appender.stdin?.write("stop\n");
    const report = JSON.parse(await untilLine(appender, (l) => l.startsWith("{"))) as {
      idle: number[];
      load: number[];
      errors: number;
    };
    appender.kill();
    const idle = [...report.idle].sort((a, b) => a - b);
    const load = [...report.load].sort((a, b) => a - b);
    const idleMedian = quantile(idle, 0.5);
    const expected = oldPerConversation(total) * CONVERSATIONS;
    if (removed.deletedByAge !== expected || report.errors > 0) {
      throw new Error(
        `retention bench: deleted ${removed.deletedByAge} of ${expected}, ${report.errors} append errors`,
      );
    }
    await repo.getEvents("steady-appender", { limit: 1 });

    console.log(
      `  [${ctx.driver.name}] retention: pruned ${removed.deletedByAge} of ${total} events in ${(pruneMs / 1000).toFixed(1)} s ` +
        `(${Math.round(removed.deletedByAge / (pruneMs / 1000))} events/s); appender: ` +
        `idle n=${idle.length} median ${idleMedian.toFixed(3)} ms p99 ${quantile(idle, 0.99).toFixed(3)} ms ` +
        `p99.9 ${quantile(idle, 0.999).toFixed(3)} ms max ${quantile(idle, 1).toFixed(2)} ms | ` +
        `during prune n=${load.length} median ${quantile(load, 0.5).toFixed(3)} ms p99 ${quantile(load, 0.99).toFixed(3)} ms ` +
        `p99.9 ${quantile(load, 0.999).toFixed(3)} ms max ${quantile(load, 1).toFixed(2)} ms, ${report.errors} errors`,
    );
    const lines: BenchLine[] = [
      {
        operation: "append p99 during prune vs idle p99",
        library: quantile(load, 0.99),
        baseline: quantile(idle, 0.99),
        baselineLabel: "idle p99",
        unit: "ms",
      },
      {
        operation: "append p99.9 during prune vs idle p99.9",
        library: quantile(load, 0.999),
        baseline: quantile(idle, 0.999),
        baselineLabel: "idle p99.9",
        unit: "ms",
      },
      {
        operation: "append worst during prune vs idle median",
        library: quantile(load, 1),
        baseline: idleMedian,
        baselineLabel: "idle median",
        unit: "ms",
        target: { max: 10, text: "worst < 10x idle median" },
      },
      {
        operation: "append worst during prune vs idle worst",
        library: quantile(load, 1),
        baseline: quantile(idle, 1),
        baselineLabel: "idle worst",
        unit: "ms",
      },
    ];
    return lines;
  },
};
