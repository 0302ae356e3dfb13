import { chatlogVitestConfig } from "../../vitest.shared.ts";

// The tour runs as a child process, on a SQLite file and on a Postgres database of the run's cluster.
export default chatlogVitestConfig({ slow: true, postgres: true });
