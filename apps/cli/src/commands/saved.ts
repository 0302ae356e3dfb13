import type { SavedSession } from "@chatlog/core";
import { COMMON_HELP, type Command, stringOption } from "../command.ts";
import { withDatabase } from "../database.ts";
import { eventLine } from "../jsonl-format.ts";
import { ChunkedWriter } from "../output.ts";
import { printable } from "../printable.ts";
import { colourWanted, makeStyle } from "../style.ts";
import { TranscriptRenderer } from "../transcript.ts";

export const savedSaveCommand: Command = {
  name: "saved save",
  summary: "save a conversation as a named session (kept by retention); prints the saved id",
  help: `Usage: chatlog saved save <conversationId> [--name <name>] [--db <path-or-url>]

Saves the conversation up to its current last event and prints the saved session's id.
Retention never deletes a saved conversation's events.

Options:
  --name <name>        a name (default: "Session <UTC time> UTC")

${COMMON_HELP}`,
  options: { name: { type: "string" } },
  positionals: { min: 1, max: 1, name: "<conversationId>" },
  async run(context, { values, positionals }) {
    const name = stringOption(values, "name");
    const id = await withDatabase(context, stringOption(values, "db"), { mustExist: true }, (repo) =>
      repo.saveSession(positionals[0]!, name),
    );
    context.stdout.write(`${id}\n`);
  },
};

function savedRow(s: SavedSession): string {
  const time = (date: Date) => date.toISOString().replace("T", " ").replace("Z", "");
  return `${s.id}  ${time(s.createdAt)}  ${String(s.messageCount).padStart(8)}  ${printable(s.conversationId)}  ${printable(s.name)}`;
}

export const savedListCommand: Command = {
  name: "saved list",
  summary: "list saved sessions, newest first",
  help: `Usage: chatlog saved list [--json] [--db <path-or-url>]

Options:
  --json               one JSON object per line instead of a table

${COMMON_HELP}`,
  options: { json: { type: "boolean" } },
  positionals: { min: 0, max: 0, name: "" },
  async run(context, { values }) {
    const sessions = await withDatabase(context, stringOption(values, "db"), { mustExist: true }, (repo) =>
      repo.listSavedSessions(),
    );
    const out = new ChunkedWriter(context.stdout);
    if (values.json === true) {
      for (const s of sessions) await out.line(JSON.stringify(s));
    } else {
      await out.line(
        `${"SAVED ID".padEnd(36)}  ${"CREATED (UTC)".padEnd(23)}  ${"MESSAGES".padStart(8)}  CONVERSATION  NAME`,
      );
      for (const s of sessions) await out.line(savedRow(s));
    }
    await out.flush();
  },
};

export const savedLoadCommand: Command = {
  name: "saved load",
  summary: "print a saved session's events as a transcript (or --json)",
  help: `Usage: chatlog saved load <savedId> [--json] [--db <path-or-url>]

Prints the saved session's events as a transcript, like "chatlog show".

Options:
  --json               print the events as JSON lines (the export format's event lines)

${COMMON_HELP}`,
  options: { json: { type: "boolean" } },
  positionals: { min: 1, max: 1, name: "<savedId>" },
  async run(context, { values, positionals }) {
    const events = await withDatabase(context, stringOption(values, "db"), { mustExist: true }, (repo) =>
      repo.loadSavedSession(positionals[0]!),
    );
    const out = new ChunkedWriter(context.stdout);
    if (values.json === true) {
      for (const event of events) await out.line(eventLine(event));
    } else {
      const style = makeStyle(colourWanted(context.stdout, context.env));
      const renderer = new TranscriptRenderer(style);
      const first = events[0];
      const head = first
        ? ` (conversation ${printable(first.conversationId)}, ${events.length} events)`
        : " (no events)";
      await out.line(style.bold(`Saved session ${printable(positionals[0]!)}${head}`));
      for (const event of events) await out.line(renderer.render(event));
    }
    await out.flush();
  },
};

export const savedDeleteCommand: Command = {
  name: "saved delete",
  summary: "remove one saved session (the conversation's events stay)",
  help: `Usage: chatlog saved delete <savedId> [--json] [--db <path-or-url>]

Removes the saved session's record. The conversation itself is untouched (use "chatlog delete"
to erase it); once none of its saved sessions is left, retention and the clear trigger treat it
like any unsaved conversation. Removing a saved id that does not exist removes nothing and
still succeeds, so a removal can be repeated safely.

Options:
  --json               print {"savedId", "deleted"}

${COMMON_HELP}`,
  options: { json: { type: "boolean" } },
  positionals: { min: 1, max: 1, name: "<savedId>" },
  async run(context, { values, positionals }) {
    const savedId = positionals[0]!;
    const deleted = await withDatabase(context, stringOption(values, "db"), { mustExist: true }, (repo) =>
      repo.deleteSavedSession(savedId),
    );
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify({ savedId, deleted })}\n`);
      return;
    }
    const name = printable(savedId);
    context.stdout.write(
      deleted ? `deleted saved session ${name}\n` : `no saved session ${name}: nothing deleted\n`,
    );
  },
};

export const SAVED_HELP = `Usage: chatlog saved <save|list|load|delete> ...

  chatlog saved save <conversationId> [--name <name>]   save a conversation; prints the saved id
  chatlog saved list [--json]                           list saved sessions, newest first
  chatlog saved load <savedId> [--json]                 print a saved session's events
  chatlog saved delete <savedId> [--json]               remove a saved session (events stay)

Run "chatlog saved <subcommand> --help" for details.`;
