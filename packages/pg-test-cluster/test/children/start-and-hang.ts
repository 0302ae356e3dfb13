// Starts a cluster, prints it as one JSON line, then waits to be killed (the watchdog's test).
import { startPostgresCluster } from "../../src/index.ts";

const cluster = await startPostgresCluster();
process.stdout.write(`${JSON.stringify({ url: cluster.url, dir: cluster.dir })}\n`);
setInterval(() => {}, 60_000);
