import { actingAs, COMMON_HELP, type Command, OWNER_HELP, OWNER_OPTION, stringOption } from "../command.ts";
import { withDatabase } from "../database.ts";
import { printable } from "../printable.ts";

export const deleteCommand: Command = {
  name: "delete",
  summary: "erase one conversation: its events, summary and saved sessions",
  help: `Usage: chatlog delete <conversationId> [--owner <id>] [--json] [--db <path-or-url>]

Erases the conversation for good, in one transaction: every event (streamed deltas included),
its summary, and every saved session of it. Other conversations are untouched. Deleting a
conversation that does not exist removes nothing and still succeeds, so an erasure can be
repeated safely. The space is reused by new data; run "chatlog vacuum" to give it back to the
file system. With --owner, another user's conversation is refused (NOT_OWNER) and kept.

Options:
  --json               print {"conversationId", "deletedEvents", "deletedSavedSessions"}
${OWNER_HELP}

${COMMON_HELP}`,
  options: { json: { type: "boolean" }, ...OWNER_OPTION },
  positionals: { min: 1, max: 1, name: "<conversationId>" },
  async run(context, { values, positionals }) {
    const conversationId = positionals[0]!;
    const result = await withDatabase(context, stringOption(values, "db"), { mustExist: true }, (repo) =>
      actingAs(repo, values).deleteConversation(conversationId),
    );
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify({ conversationId, ...result })}\n`);
      return;
    }
    const name = printable(conversationId);
    context.stdout.write(
      result.deletedEvents === 0 && result.deletedSavedSessions === 0
        ? `no conversation ${name}: nothing deleted\n`
        : `deleted conversation ${name}: ${result.deletedEvents} events, ${result.deletedSavedSessions} saved sessions\n`,
    );
  },
};
