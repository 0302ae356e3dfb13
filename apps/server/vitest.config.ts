import { chatlogVitestConfig } from "../../vitest.shared.ts";

// Real servers, child processes, SQLite files and a Postgres cluster: generous limits, one file at a time.
export default chatlogVitestConfig({ slow: true, postgres: true });
