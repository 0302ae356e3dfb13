import { defineConfig } from "vitest/config";

/**
 * The one vitest setup every package uses. Besides the console report, each run writes
 * .vitest-report.json in the package (a turbo output), which .ci/run sums into its
 * "N passed, N failed" line.
 */
export function chatlogVitestConfig(options: { slow?: boolean } = {}) {
  return defineConfig({
    test: {
      include: ["test/**/*.test.ts"],
      reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
      testTimeout: options.slow ? 120_000 : 15_000,
      hookTimeout: options.slow ? 120_000 : 15_000,
      // Child-process and multi-connection cases compete for the machine's two cores.
      fileParallelism: !options.slow,
    },
  });
}
