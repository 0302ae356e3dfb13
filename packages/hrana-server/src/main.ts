import { startHranaServer } from "./server.ts";

/**
 * Runs the server as its own process: `tsx src/main.ts '<json options>'` (HranaServerOptions).
 * Prints one JSON line `{"url": ..., "port": ...}` once listening; SIGTERM / SIGINT close it.
 */
const options = JSON.parse(process.argv[2] ?? "{}");
if (typeof options.file !== "string") {
  process.stderr.write('usage: main.ts \'{"file": "/path/to.db", "port": 0, ...}\'\n');
  process.exit(2);
}
const server = await startHranaServer(options);
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
