import { performance } from "node:perf_hooks";
import { parseArgs } from "./args.ts";
import { ManagedContext } from "./context.ts";
import { DRIVERS } from "./drivers.ts";
import { runPostgres } from "./postgres/run.ts";
import { SECTIONS } from "./registry.ts";
import { REMOTE_LATENCY_MS, runRemote } from "./remote.ts";
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
  // Remote runs wait on the network, so they always use the wall clock.
  const filePlan = { ...plan, clock: args.cpu ? ("cpu" as const) : ("wall" as const) };
  const started = performance.now();
  const failures: string[] = [];

  console.log(
    `chatlog bench: library vs raw better-sqlite3 (same file, same SQL) and a bare floor / raw pg (same cluster), ${plan.reps} runs, median, ${filePlan.clock === "cpu" ? "CPU time" : "wall clock"} (Postgres: wall clock)`,
  );
  console.log(
    "ratio = library / baseline: throughput lines, higher is better; latency lines (ms), lower is better\n",
  );
  for (const driver of drivers) {
    const results: LineResult[] = [];
    for (const section of sections) {
      const ctx = new ManagedContext(driver, args.quick ? 0.1 : 1, filePlan);
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

  // Remote mode (`--driver=remote`, `--section=remote`): libSQL over HTTP with simulated latency.
  const remoteWanted =
    (args.drivers === null || args.drivers.includes("remote")) &&
    (args.sections === null || args.sections.includes("remote"));
  if (remoteWanted) {
    const t0 = performance.now();
    const remote = await runRemote(args.quick ? 0.2 : 1, plan);
    console.error(`  [remote] done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const title = `== remote: @chatlog/libsql over HTTP, Hrana test server, ${REMOTE_LATENCY_MS} ms latency per request ==`;
    console.log(`\n${formatTable(title, remote.lines)}`);
    for (const note of remote.notes) console.log(note);
    console.log("");
    for (const r of remote.lines) if (r.verdict === "FAIL") failures.push(`remote: ${r.operation}`);
  }

  // Postgres (`--driver=postgres`, `--section=postgres`): @chatlog/postgres against raw pg, and
  // Mastra's @mastra/pg, on a throwaway cluster started for the run.
  const postgresWanted =
    (args.drivers === null || args.drivers.includes("postgres")) &&
    (args.sections === null || args.sections.includes("postgres"));
  if (postgresWanted) {
    const t0 = performance.now();
    const postgres = await runPostgres(args.quick ? 0.1 : 1, plan);
    console.error(`  [postgres] done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const title = "== postgres: @chatlog/postgres vs raw pg (same cluster, fsync off), and @mastra/pg ==";
    console.log(`\n${formatTable(title, postgres.lines)}`);
    for (const note of postgres.notes) console.log(note);
    console.log("");
    for (const r of postgres.lines) if (r.verdict === "FAIL") failures.push(`postgres: ${r.operation}`);
  }

  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length === 0) console.log("all targets PASS");
  else
    console.log(`FAIL: ${failures.length} target(s) missed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
}

await main();
