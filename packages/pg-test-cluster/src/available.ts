import { findPostgresBinaries } from "./binaries.ts";
import { TEST_SERVER_ENV } from "./server.ts";

/**
 * Whether Postgres tests can run here: a server is named by CHATLOG_TEST_POSTGRES_URL, or the
 * server binaries are installed. Locally their absence skips those tests
 * (`describe.runIf(postgresAvailable())`); under CI it is an error, so CI never skips them.
 */
export function postgresAvailable(): boolean {
  if (process.env[TEST_SERVER_ENV]) return true;
  try {
    findPostgresBinaries();
    return true;
  } catch (error) {
    if (process.env.CI) throw error;
    return false;
  }
}
