import { chatlogVitestConfig } from "../../vitest.shared.ts";

// The app runs as a child process per test, on a SQLite file and on a Postgres database of the
// run's cluster (the global setup).
export default chatlogVitestConfig({ slow: true, postgres: true });
