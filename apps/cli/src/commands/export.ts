import { ChatlogError, type ChatRepository } from "@chatlog/core";
import { actingAs, COMMON_HELP, type Command, OWNER_HELP, OWNER_OPTION, stringOption } from "../command.ts";
import { resolvePath } from "../context.ts";
import { withDatabase } from "../database.ts";
import { eventLine, headerLine } from "../jsonl-format.ts";
import { AtomicFile, ChunkedWriter, Progress } from "../output.ts";
import { allConversations, conversationEvents } from "../pages.ts";

interface Exported {
  conversationId: string;
  ownerId: string | null;
}

async function* conversationsOf(
  repo: ChatRepository,
  requested: Exported[] | null,
): AsyncGenerator<Exported> {
  if (requested === null) {
    yield* allConversations(repo);
    return;
  }
  yield* requested;
}

export const exportCommand: Command = {
  name: "export",
  summary: "write conversations as JSONL (stdout or -o <file>)",
  help: `Usage: chatlog export [conversationId...] [--owner <id>] [-o <file>] [--db <path-or-url>]

Writes a header line, then every event of the named conversations (default: all, most
recently active first), one JSON object per line, each conversation in seq order. The format
is documented in apps/cli/README.md ("chatlog-export", version 1). Streams: memory stays flat
however large the database. With -o the file appears only once the export is complete.

Options:
  -o, --output <file>  write to this file instead of stdout
${OWNER_HELP}

${COMMON_HELP}`,
  options: { output: { type: "string", short: "o" }, ...OWNER_OPTION },
  positionals: { min: 0, max: Number.POSITIVE_INFINITY, name: "" },
  async run(context, { values, positionals }) {
    const output = stringOption(values, "output");
    await withDatabase(context, stringOption(values, "db"), { mustExist: true }, async (root) => {
      const repo = actingAs(root, values);
      // Unknown ids are refused before anything is written, rather than after half an export.
      let requested: Exported[] | null = null;
      if (positionals.length > 0) {
        requested = [];
        for (const id of new Set(positionals)) {
          const summary = await repo.getConversation(id);
          if (summary === null) {
            throw new ChatlogError("NOT_FOUND", `conversation ${id} has no events`, {
              details: { conversationId: id },
            });
          }
          requested.push(summary);
        }
      }
      const file = output === undefined ? null : new AtomicFile(resolvePath(context, output));
      const out = new ChunkedWriter(file?.stream ?? context.stdout);
      const progress = new Progress(context.stderr, "exported");
      let events = 0;
      let conversations = 0;
      try {
        await out.line(headerLine(new Date()));
        for await (const { conversationId, ownerId } of conversationsOf(repo, requested)) {
          conversations++;
          for await (const event of conversationEvents(repo, conversationId)) {
            await out.line(eventLine(event, ownerId));
            progress.count(++events);
          }
        }
        await out.flush();
        await file?.commit();
      } catch (error) {
        await file?.discard();
        throw error;
      } finally {
        progress.end();
      }
      const where = output === undefined ? "" : ` to ${resolvePath(context, output)}`;
      context.stderr.write(`exported ${events} events from ${conversations} conversations${where}\n`);
    });
  },
};
