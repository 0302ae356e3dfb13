import { startPostgresCluster } from "@chatlog/pg-test-cluster";
import type { Plan } from "../measure.ts";
import { judge, type LineResult } from "../report.ts";
import { appendLines } from "./append-lines.ts";
import { BenchDatabases } from "./bench-databases.ts";
import { compareWithMastra } from "./mastra.ts";
import { readLines } from "./read-lines.ts";

export interface PostgresResult {
  lines: LineResult[];
  notes: string[];
}

/**
 * The Postgres lines: @chatlog/postgres against raw node-postgres in the same run, on the same
 * throwaway cluster (started here, fsync off for both), each part on a database of its own. The
 * raw side is the fastest plain use of the same client: one held connection, named prepared
 * statements, int8 and json parsed as the library parses them. Then Mastra's @mastra/pg on the
 * workload its users run: threads of single-message saves.
 */
export async function runPostgres(scale: number, plan: Plan): Promise<PostgresResult> {
  const cluster = await startPostgresCluster();
  const databases = new BenchDatabases(cluster.url);
  try {
    const lines = [
      ...(await appendLines(databases, scale, plan)),
      ...(await readLines(databases, scale, plan)),
    ];
    const mastra = await compareWithMastra(
      (await databases.fresh()).url,
      (await databases.fresh()).url,
      Math.max(20, Math.round(200 * scale)),
    );
    return { lines: [...lines.map(judge), ...mastra.lines], notes: mastra.notes };
  } finally {
    await databases.dispose();
    cluster.stop();
  }
}
