export { postgresAvailable } from "./available.ts";
export { findPostgresBinaries } from "./binaries.ts";
export { type ClusterOptions, type PostgresCluster, startPostgresCluster } from "./cluster.ts";
export { createTestDatabase, runStatement, TEST_DATABASE_PREFIX, type TestDatabase } from "./databases.ts";
export { sharedTestServerUrl, TEST_SERVER_ENV, type TestServer, testServer } from "./server.ts";
