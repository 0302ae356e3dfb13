import { chatlogVitestConfig } from "../../vitest.shared.ts";

// Real servers, child processes and SQLite files: generous limits, one file at a time.
export default chatlogVitestConfig({ slow: true });
