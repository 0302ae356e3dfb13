/**
 * Start-up time of the `chatlog` command: the compiled bin (dist/main.js on the compiled
 * packages, what `npm install @chatlog/cli` runs) against the TypeScript sources started through
 * tsx, measured in the same run with the runs interleaved so all see the same machine load. Two
 * tsx baselines: the tsx command, as `pnpm chatlog` started the CLI before it was compiled (the
 * target's baseline; it starts a second Node process, and its CPU column counts only the first),
 * and tsx registered in the one process (bench/tsx-entry.mjs), the fastest way tsx can start. Two commands: `--help` (no
 * database) and `stats` on a small database (opens it, checks migrations, reads, closes).
 *
 * Usage: pnpm bench:cli (builds the bin first), or pnpm --filter @chatlog/cli bench:startup [--runs n]
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { openChatRepository } from "@chatlog/better-sqlite3";

const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const COMPILED = join(CLI_DIR, "dist", "main.js");
const TSX_ENTRY = join(CLI_DIR, "bench", "tsx-entry.mjs");
const TSX_CLI = fileURLToPath(import.meta.resolve("tsx/cli"));
const SOURCE_MAIN = join(CLI_DIR, "src", "main.ts");
const CPU_PRELOAD = pathToFileURL(join(CLI_DIR, "bench", "report-cpu.mjs")).href;
/** The factor the compiled start must beat: at most a quarter of the tsx start. */
const TARGET = 0.25;

interface Variant {
  name: string;
  args: string[];
}

const VARIANTS: Variant[] = [
  { name: "compiled (node dist/main.js)", args: [COMPILED] },
  // What `pnpm chatlog` ran before the bin was compiled (and still runs in the repository): the
  // tsx command, which starts a second Node process with its loader for the sources.
  {
    name: "tsx command (as `pnpm chatlog` runs it)",
    args: [TSX_CLI, "--conditions=@chatlog/source", SOURCE_MAIN],
  },
  // The sources resolve the workspace packages through their source export condition.
  { name: "tsx (sources, tsx registered in-process)", args: ["--conditions=@chatlog/source", TSX_ENTRY] },
  // Node itself running a do-nothing module (the preload file, here a plain script): the floor
  // both pay, shown so the part each variant adds can be read off.
  { name: "node floor (an empty module)", args: [fileURLToPath(CPU_PRELOAD)] },
];

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** One run of `node <variant> <command>`: wall time from spawn to exit, and the CPU time it used. */
async function timeRun(variant: Variant, command: string[], work: string): Promise<Timing> {
  const cpuFile = join(work, `cpu-${process.hrtime.bigint()}`);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CHATLOG_BENCH_CPU_FILE: cpuFile };
  delete env.NODE_OPTIONS;
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--import", CPU_PRELOAD, ...variant.args, ...command], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const [code] = (await once(child, "close")) as [number | null];
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (code !== 0) throw new Error(`${variant.name} ${command.join(" ")} exited with ${code}:\n${stderr}`);
  return { wallMs, cpuMs: Number(readFileSync(cpuFile, "utf8")) };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A small database: 20 conversations of 10 events. */
async function smallDatabase(path: string): Promise<void> {
  const repo = await openChatRepository({ path });
  try {
    for (let c = 0; c < 20; c++) {
      for (let i = 0; i < 10; i++) {
        await repo.addEvent({
          conversationId: `conversation-${c}`,
          type: i % 2 === 0 ? "user_message" : "assistant_message",
          role: i % 2 === 0 ? "user" : "assistant",
          content: `message ${i} of conversation ${c}`,
        });
      }
    }
  } finally {
    await repo.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
  const { values } = parseArgs({ args, options: { runs: { type: "string", default: "15" } }, strict: true });
  const runs = Number(values.runs);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run pnpm build first`);

  const work = mkdtempSync(join(tmpdir(), "chatlog-bench-startup-"));
  try {
    const db = join(work, "small.db");
    await smallDatabase(db);
    const commands = [
      { label: "chatlog --help", argv: ["--help"] },
      { label: "chatlog stats (small db)", argv: ["stats", "--db", db] },
    ];
    process.stderr.write(`chatlog start-up: ${runs} runs of each variant per command, interleaved\n`);
    const rows: string[][] = [["command", "variant", "wall median", "wall min", "CPU median"]];
    const verdicts: string[] = [];
    for (const command of commands) {
      const times = VARIANTS.map(() => [] as Timing[]);
      // One warm-up each (file-system cache), then alternate so load changes hit both alike.
      for (const variant of VARIANTS) await timeRun(variant, command.argv, work);
      for (let r = 0; r < runs; r++) {
        for (const [v, variant] of VARIANTS.entries())
          times[v]!.push(await timeRun(variant, command.argv, work));
      }
      const wall = times.map((t) => median(t.map((x) => x.wallMs)));
      const cpu = times.map((t) => median(t.map((x) => x.cpuMs)));
      for (const [v, variant] of VARIANTS.entries()) {
        const min = Math.min(...times[v]!.map((x) => x.wallMs));
        rows.push([
          command.label,
          variant.name,
          `${wall[v]!.toFixed(0)} ms`,
          `${min.toFixed(0)} ms`,
          `${cpu[v]!.toFixed(0)} ms`,
        ]);
      }
      const ratio = wall[0]! / wall[1]!;
      const inProcess = wall[0]! / wall[2]!;
      const above = (values: number[]) => ((values[0]! - values[3]!) / (values[2]! - values[3]!)).toFixed(2);
      verdicts.push(
        `${command.label}: compiled / tsx command = ${ratio.toFixed(2)} wall (target <= ${TARGET}: ${ratio <= TARGET ? "met" : "NOT met"}); compiled / tsx in-process = ${inProcess.toFixed(2)} wall, ${(cpu[0]! / cpu[2]!).toFixed(2)} CPU; above the node floor, compiled / tsx in-process: ${above(wall)} wall, ${above(cpu)} CPU`,
      );
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    console.log();
    for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
    console.log();
    for (const line of verdicts) console.log(line);
    console.log(
      `load average while measuring: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
