// Preloaded into a benchmarked child (node --import): on exit, writes the process's peak resident
// set size in KiB to the file named by CHATLOG_BENCH_RSS_FILE. Plain JS, because it runs before
// the CLI registers its TypeScript loader.
import { writeFileSync } from "node:fs";

const target = process.env.CHATLOG_BENCH_RSS_FILE;
if (target) {
  process.on("exit", () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
