import type { TestProject } from "vitest/node";
import { postgresAvailable } from "./available.ts";
import type {} from "./provided-context.ts";
import { TEST_SERVER_ENV, testServer } from "./server.ts";

/**
 * vitest globalSetup: one server for the whole run (`globalSetup: ["@chatlog/pg-test-cluster/vitest-setup"]`
 * or a file re-exporting this). Tests read the URL with `inject("chatlogPostgresUrl")`, or call
 * `testDatabase()` from `@chatlog/pg-test-cluster/vitest`. The URL is also put in the
 * environment, so child processes and helpers outside vitest's context find the same server.
 * Without Postgres (locally) it starts nothing; the tests skip themselves (postgresAvailable).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  if (!postgresAvailable()) return () => {};
  const server = await testServer();
  project.provide("chatlogPostgresUrl", server.url);
  process.env[TEST_SERVER_ENV] = server.url;
  return () => server.stop();
}
