import { chatlogVitestConfig } from "../../vitest.shared.ts";

// Postgres runs beside the SQLite files: the run's throwaway cluster is a global setup.
export default chatlogVitestConfig({ postgres: true });
