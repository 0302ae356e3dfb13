import { inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "./databases.ts";
import type {} from "./provided-context.ts";
import { sharedTestServerUrl } from "./server.ts";

/**
 * A new database on this run's server (the global setup's, or one started for this worker when
 * no global setup ran). The caller drops it, typically in afterAll / afterEach.
 */
export async function testDatabase(): Promise<TestDatabase> {
  return createTestDatabase(inject("chatlogPostgresUrl") ?? (await sharedTestServerUrl()));
}
