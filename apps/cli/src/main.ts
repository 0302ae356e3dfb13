#!/usr/bin/env node
import { runCli } from "./cli.ts";
import { defaultContext } from "./context.ts";

const context = defaultContext();
// A closed pipe surfaces as an 'error' event on stdout; without a listener Node would crash.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});
// exitCode, not exit(): lets buffered stdout reach a pipe before the process ends.
// `pnpm chatlog -- <args>` hands the separator through; it is never a command.
const argv = process.argv.slice(2);
if (argv[0] === "--") argv.shift();
process.exitCode = await runCli(argv, context);
