// Appends one event at a time to its own conversation and records each call's latency, in two
// phases: "idle" until the parent writes "go" on stdin, then "load" until it writes "stop".
// Prints {"idle": [...ms], "load": [...ms], "errors": n} on exit.
import { createInterface } from "node:readline";
import { openChatRepository as openBetterSqlite3 } from "@chatlog/better-sqlite3";
import { openChatRepository as openLibsql } from "@chatlog/libsql";

const [driver, path] = process.argv.slice(2) as [string, string];
const repo =
  driver === "libsql" ? await openLibsql({ url: `file:${path}` }) : await openBetterSqlite3({ path });
const samples: Record<"idle" | "load", number[]> = { idle: [], load: [] };
// An object, so the compiler does not narrow the phase the stdin handler changes.
const state: { phase: "idle" | "load" | "done" } = { phase: "idle" };
let errors = 0;

const commands = createInterface({ input: process.stdin });
commands.on("line", (line) => {
  if (line === "go") state.phase = "load";
  if (line === "stop") state.phase = "done";
});
process.stdout.write("ready\n");

let i = 0;
while (state.phase !== "done") {
  const current = state.phase;
  const started = performance.now();
  try {
    await repo.addEvent({
      conversationId: "steady-appender",
      type: "user_message",
      role: "user",
      content: `m${i++}`,
    });
  } catch {
    errors++;
  }
  samples[current].push(performance.now() - started);
  // Yield to the event loop so stdin commands are seen between appends.
  await new Promise((resolve) => setImmediate(resolve));
}
await repo.close();
// Stop reading stdin, or the open pipe keeps this process (and its parent) alive.
commands.close();
process.stdin.destroy();
process.stdout.write(`${JSON.stringify({ ...samples, errors })}\n`);
