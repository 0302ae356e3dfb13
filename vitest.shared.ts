import { defineConfig } from "vitest/config";

/**
 * The export condition that points every @chatlog package at its TypeScript sources
 * (`"@chatlog/source": "./src/index.ts"` in its exports). Without it Node resolves the built
 * dist/, as in an installed package; with it the workspace runs the sources, no build step.
 */
export const SOURCE_CONDITION = "@chatlog/source";

const POSTGRES_SETUP = new URL("./packages/pg-test-cluster/src/vitest-setup.ts", import.meta.url).pathname;

/**
 * The one vitest setup every package uses. Besides the console report, each run writes
 * .vitest-report.json in the package (a turbo output), which .ci/run sums into its
 * "N passed, N failed" line. `postgres: true` adds the Postgres test server
 * (packages/pg-test-cluster) as a global setup.
 */
export function chatlogVitestConfig(options: { slow?: boolean; postgres?: boolean } = {}) {
  return defineConfig({
    // Test files and the workers running them resolve @chatlog/* to the sources (vitest passes
    // these conditions to its workers as --conditions; "node" and the mode are its defaults).
    ssr: { resolve: { conditions: [SOURCE_CONDITION, "node", "development|production"] } },
    test: {
      include: ["test/**/*.test.ts"],
      reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
      testTimeout: options.slow ? 120_000 : 15_000,
      hookTimeout: options.slow ? 120_000 : 15_000,
      // Child-process and multi-connection cases compete for the machine's two cores.
      fileParallelism: !options.slow,
      // Child processes a test spawns (`node --import tsx child.ts`) run the sources too. A test
      // that runs compiled code (the CLI's bin) removes this from the child's environment.
      env: { NODE_OPTIONS: `--conditions=${SOURCE_CONDITION}` },
      // Packages with Postgres tests: one throwaway cluster (or CHATLOG_TEST_POSTGRES_URL's
      // server) for the whole run; each test file creates its own databases on it.
      globalSetup: options.postgres ? [POSTGRES_SETUP] : [],
    },
  });
}
