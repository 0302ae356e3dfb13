import { performance } from "node:perf_hooks";
import { parseArgs } from "./args.ts";
import { ManagedContext } from "./context.ts";
import { DRIVERS } from "./drivers.ts";
import { SECTIONS } from "./registry.ts";
import { formatTable, judge, type LineResult } from "./report.ts";

/**
 * Runs every section for every driver and prints one table per driver. The exit code is 0 even
 * when a target is missed (the FAIL lines say so): the numbers are for reading, and this machine
 * is shared, so one noisy run must not break a pipeline.
 */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const drivers = DRIVERS.filter((d) => args.drivers === null || args.drivers.includes(d.name));
  const sections = SECTIONS.filter((s) => args.sections === null || args.sections.includes(s.id));
  const plan = args.quick ? { warmup: 1, reps: 3 } : { warmup: 1, reps: 5 };
  const started = performance.now();
  const failures: string[] = [];

  console.log(
    `chatlog bench: library vs raw better-sqlite3 (same file, same SQL), ${plan.reps} runs, median`,
  );
  console.log(
    "ratio = library / baseline: throughput lines, higher is better; latency lines (ms), lower is better\n",
  );
  for (const driver of drivers) {
    const results: LineResult[] = [];
    for (const section of sections) {
      const ctx = new ManagedContext(driver, args.quick ? 0.1 : 1, plan);
      const t0 = performance.now();
      try {
        results.push(...(await section.run(ctx)).map(judge));
      } finally {
        await ctx.dispose();
      }
      console.error(
        `  [${driver.name}] ${section.id} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    console.log(`\n${formatTable(`== driver: ${driver.name} (file database) ==`, results)}\n`);
    for (const r of results) if (r.verdict === "FAIL") failures.push(`${driver.name}: ${r.operation}`);
  }

  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length === 0) console.log("all targets PASS");
  else
    console.log(`FAIL: ${failures.length} target(s) missed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
}

await main();
