import { defineConfig } from "vitest/config";
import { chatlogVitestConfig } from "../../vitest.shared.ts";

// Browser tests: one Chromium and one server per file, files one at a time (two cores).
const shared = chatlogVitestConfig({ slow: true });
export default defineConfig({
  ...shared,
  test: { ...shared.test, testTimeout: 60_000, globalSetup: ["test/global-setup.ts"] },
});
