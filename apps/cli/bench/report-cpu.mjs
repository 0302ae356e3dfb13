// Preloaded into a benchmarked child (node --import): on exit, writes the CPU time the process
// used (user + system, in ms) to the file named by CHATLOG_BENCH_CPU_FILE. On a busy machine the
// wall time of a short process is mostly waiting for a core; its CPU time is not.
import { writeFileSync } from "node:fs";

const target = process.env.CHATLOG_BENCH_CPU_FILE;
if (target) {
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(target, String((user + system) / 1000));
  });
}
