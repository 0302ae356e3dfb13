import { ChatlogError } from "@chatlog/core";
import { actingAs, COMMON_HELP, type Command, OWNER_HELP, OWNER_OPTION, stringOption } from "../command.ts";
import { withDatabase } from "../database.ts";
import { ChunkedWriter } from "../output.ts";
import { conversationEvents } from "../pages.ts";
import { printable } from "../printable.ts";
import { colourWanted, makeStyle } from "../style.ts";
import { TranscriptRenderer } from "../transcript.ts";

export const showCommand: Command = {
  name: "show",
  summary: "print a conversation as a readable transcript",
  help: `Usage: chatlog show <conversationId> [--owner <id>] [--db <path-or-url>]

Prints every event of the conversation in order: its position, time (UTC), role, text (text
parts joined), tool calls with their arguments, and tool results naming the call they answer. A reply that was finalized from its streamed deltas
after an interrupted generation is marked "[interrupted: partial reply]". Control characters
and terminal escape sequences in stored text are shown escaped (\x1b), never sent raw.
Coloured on a terminal; plain when piped or when NO_COLOR is set (FORCE_COLOR=1 forces colour).

Options:
${OWNER_HELP}

${COMMON_HELP}`,
  options: { ...OWNER_OPTION },
  positionals: { min: 1, max: 1, name: "<conversationId>" },
  async run(context, { values, positionals }) {
    const conversationId = positionals[0]!;
    const style = makeStyle(colourWanted(context.stdout, context.env));
    const renderer = new TranscriptRenderer(style);
    const out = new ChunkedWriter(context.stdout);
    await withDatabase(context, stringOption(values, "db"), { mustExist: true }, async (root) => {
      const repo = actingAs(root, values);
      let count = 0;
      for await (const event of conversationEvents(repo, conversationId)) {
        if (count === 0) await out.line(style.bold(`Conversation ${printable(conversationId)}`));
        await out.line(renderer.render(event));
        count++;
      }
      if (count === 0) {
        throw new ChatlogError("NOT_FOUND", `conversation ${conversationId} has no events`, {
          details: { conversationId },
        });
      }
    });
    await out.flush();
  },
};
