import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child-process and multi-connection cases share the machine's two cores.
    fileParallelism: false,
  },
});
