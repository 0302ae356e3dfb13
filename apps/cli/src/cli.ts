import { isChatlogError } from "@chatlog/core";
import { type Command, parseCommandArgs, UsageError } from "./command.ts";
import { deleteCommand } from "./commands/delete.ts";
import { exportCommand } from "./commands/export.ts";
import { importCommand } from "./commands/import.ts";
import { listCommand } from "./commands/list.ts";
import { migrateCommand } from "./commands/migrate.ts";
import { pruneCommand } from "./commands/prune.ts";
import {
  SAVED_HELP,
  savedDeleteCommand,
  savedListCommand,
  savedLoadCommand,
  savedSaveCommand,
} from "./commands/saved.ts";
import { showCommand } from "./commands/show.ts";
import { statsCommand } from "./commands/stats.ts";
import { vacuumCommand } from "./commands/vacuum.ts";
import type { CliContext } from "./context.ts";
import { printableText } from "./printable.ts";

export const COMMANDS: readonly Command[] = [
  migrateCommand,
  listCommand,
  showCommand,
  exportCommand,
  importCommand,
  pruneCommand,
  savedSaveCommand,
  savedListCommand,
  savedLoadCommand,
  savedDeleteCommand,
  statsCommand,
  deleteCommand,
  vacuumCommand,
];

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

export function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: chatlog <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

The database is --db <path-or-url>, else $DATABASE_URL, else chatlog.db in the data
directory: $CHATLOG_DATA_DIR, else data/ at the workspace root (or the current folder).
Local files use better-sqlite3 (CHATLOG_DRIVER=libsql picks libSQL); libsql://, http(s)://
and ws(s):// URLs use libSQL with $DATABASE_AUTH_TOKEN.
Run "chatlog <command> --help" for a command's options.`;
}

function helpOf(name: string | null): string {
  if (name === "saved") return SAVED_HELP;
  return COMMANDS.find((c) => c.name === name)?.help ?? topUsage();
}

/** `chatlog --help`, `chatlog help <command>`, `chatlog saved --help`: help that is not an error. */
class HelpRequest extends Error {
  constructor(readonly topic: string | null) {
    super("help");
  }
}

/** Finds the command named by the first one or two words; the rest are its arguments. */
function lookup(argv: string[]): { command: Command; rest: string[] } {
  const [first, second] = argv;
  if (first === undefined) throw new UsageError("missing command", null);
  if (first === "--help" || first === "-h") throw new HelpRequest(null);
  if (first === "help") {
    if (second === undefined) throw new HelpRequest(null);
    const topic = argv.slice(1).join(" ");
    if (topic !== "saved" && !COMMANDS.some((c) => c.name === topic)) {
      throw new UsageError(`unknown command '${topic}'`, null);
    }
    throw new HelpRequest(topic);
  }
  if (first === "saved") {
    if (second === undefined)
      throw new UsageError("missing subcommand (save, list, load or delete)", "saved");
    if (second === "--help" || second === "-h") throw new HelpRequest("saved");
    const command = COMMANDS.find((c) => c.name === `saved ${second}`);
    if (!command) throw new UsageError(`unknown subcommand 'saved ${second}'`, "saved");
    return { command, rest: argv.slice(2) };
  }
  const command = COMMANDS.find((c) => c.name === first && !c.name.includes(" "));
  if (!command) throw new UsageError(`unknown command '${first}'`, null);
  return { command, rest: argv.slice(1) };
}

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: string[], context: CliContext): Promise<number> {
  try {
    const found = lookup(argv);
    const args = parseCommandArgs(found.command, found.rest);
    if (args === "help") {
      context.stdout.write(`${found.command.help}\n`);
      return EXIT_OK;
    }
    await found.command.run(context, args);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof HelpRequest) {
      context.stdout.write(`${helpOf(error.topic)}\n`);
      return EXIT_OK;
    }
    if (error instanceof UsageError) {
      context.stderr.write(`chatlog: ${error.message}\n\n${helpOf(error.command)}\n`);
      return EXIT_USAGE;
    }
    if (isChatlogError(error)) {
      // Messages quote ids and names the user supplied or the database holds.
      context.stderr.write(`chatlog: error [${error.code}]: ${printableText(error.message)}\n`);
      return EXIT_ERROR;
    }
    if ((error as NodeJS.ErrnoException | null)?.code === "EPIPE") {
      // The reader went away (e.g. `chatlog export | head`): not a failure of ours.
      return EXIT_OK;
    }
    context.stderr.write(`chatlog: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_ERROR;
  }
}
