import { createReadStream, existsSync, rmSync, statSync } from "node:fs";
import { type ChatEvent, ChatlogError, isChatlogError } from "@chatlog/core";
import { COMMON_HELP, type Command, stringOption } from "../command.ts";
import { type CliContext, resolvePath } from "../context.ts";
import { resolveDatabase, withDatabase } from "../database.ts";
import { parseEventLine, parseHeader } from "../jsonl-format.ts";
import { jsonlLines } from "../jsonl-lines.ts";
import { Progress } from "../output.ts";

/** Where the reader is: lets an error the repository reports by event index name its line. */
interface ReadState {
  yielded: number;
  /**
   * The line of each event handed over, by event index: the repository checks events a chunk
   * at a time, so the event it names may be one read a while ago.
   */
  lineOf: number[];
  /** Each conversation's owner (or null), as the file's event lines give it (version 2). */
  ownerOf: Map<string, string | null>;
  /** The same, owned conversations only: what the repository is given. */
  owners: Map<string, string>;
}

/**
 * Yields the file's events one line at a time. A line that cannot be decoded throws from inside
 * the iteration, i.e. inside the repository's import transaction, which then rolls back.
 */
async function* readEvents(
  input: NodeJS.ReadableStream,
  state: ReadState,
  progress: Progress,
): AsyncGenerator<ChatEvent> {
  let line = 0;
  let version = 0;
  for await (let text of jsonlLines(input)) {
    line++;
    if (line === 1) text = text.replace(/^\uFEFF/, "");
    if (text.trim() === "") continue;
    if (version === 0) {
      version = parseHeader(text, line).version;
      continue;
    }
    const { event, ownerId } = parseEventLine(text, line, version);
    noteOwner(state, event, ownerId, line);
    state.yielded++;
    state.lineOf.push(line);
    progress.count(state.yielded);
    yield event;
  }
  if (version === 0) {
    throw new ChatlogError(
      "INVALID_EVENT",
      `line ${line + 1}: the file is empty (no chatlog-export header)`,
      {
        details: { line: line + 1 },
      },
    );
  }
}

/** One owner per conversation: lines of one conversation that disagree are a damaged file. */
function noteOwner(state: ReadState, event: ChatEvent, ownerId: string | null, line: number): void {
  const id = (event as { conversationId?: unknown }).conversationId;
  if (typeof id !== "string") return; // the repository reports the event itself
  if (state.ownerOf.has(id) && state.ownerOf.get(id) !== ownerId) {
    throw new ChatlogError("INVALID_EVENT", `line ${line}: conversation ${id} has two owners in this file`, {
      details: { line },
    });
  }
  state.ownerOf.set(id, ownerId);
  if (ownerId !== null) state.owners.set(id, ownerId);
}

/** Rewrites the repository's "event #n" into the file's line number. */
function withLine(error: unknown, state: ReadState): unknown {
  if (!isChatlogError(error) || typeof error.details.line === "number") return error;
  const index = error.details.index;
  const line = typeof index === "number" ? state.lineOf[index] : undefined;
  if (line === undefined) return error;
  const message = error.message.replace(/^event #\d+: /, "");
  return new ChatlogError(error.code, `line ${line}: ${message}`, {
    cause: error,
    details: { ...error.details, line },
  });
}

function openInput(context: CliContext, file: string): { input: NodeJS.ReadableStream; name: string } {
  if (file === "-") return { input: process.stdin, name: "stdin" };
  const path = resolvePath(context, file);
  let isFile = false;
  try {
    isFile = !statSync(path).isDirectory();
  } catch {
    throw new ChatlogError("NOT_FOUND", `cannot read ${path}: no such file`, { details: { path } });
  }
  if (!isFile) throw new ChatlogError("INVALID_ARGUMENT", `${path} is a directory`, { details: { path } });
  return { input: createReadStream(path), name: path };
}

/**
 * An import is all or nothing, and so is the database it created: when the import fails, a file
 * that did not exist before is removed again (with its WAL and shared-memory files) rather than
 * left behind empty.
 */
async function removeIfCreated<T>(file: string | null, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (file !== null)
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
    throw error;
  }
}

export const importCommand: Command = {
  name: "import",
  summary: "import a JSONL export (atomic per file, idempotent)",
  help: `Usage: chatlog import <file> [--db <path-or-url>]

Imports a file written by "chatlog export" (use - for stdin), keeping every event's id, seq and
timestamp. The whole file is one transaction: a bad line (invalid JSON, a missing or unknown
header, an invalid event, a conflict with a different stored event) is reported with its line
number and nothing from the file is imported. Events already present are skipped, so
importing the same file twice adds nothing. Creates the database if needed (and removes it
again if the import fails). Safe beside a live server: the file is staged in chunks of 500
events, each a short transaction, and published in one statement at the end, so other writers
keep going while it runs and nobody sees a half-imported file.

${COMMON_HELP}`,
  options: {},
  positionals: { min: 1, max: 1, name: "<file>" },
  async run(context, { values, positionals }) {
    const { input, name } = openInput(context, positionals[0]!);
    const state: ReadState = { yielded: 0, lineOf: [], ownerOf: new Map(), owners: new Map() };
    const progress = new Progress(context.stderr, "imported");
    const file = resolveDatabase(context, stringOption(values, "db")).file;
    const created = file !== null && file !== ":memory:" && !existsSync(file);
    const result = await removeIfCreated(created ? file : null, () =>
      withDatabase(context, stringOption(values, "db"), { mustExist: false }, async (repo) => {
        try {
          return await repo.importEvents(readEvents(input, state, progress), { owners: state.owners });
        } catch (error) {
          const located = withLine(error, state);
          if (isChatlogError(located)) {
            throw new ChatlogError(located.code, `${located.message} (nothing from ${name} was imported)`, {
              cause: located,
              details: located.details,
            });
          }
          throw located;
        } finally {
          progress.end();
          if ("destroy" in input && typeof input.destroy === "function" && input !== process.stdin)
            input.destroy();
        }
      }),
    );
    context.stdout.write(
      `imported ${result.imported} events from ${name} (${result.skipped} already present, skipped)\n`,
    );
  },
};
