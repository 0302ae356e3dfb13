import type { ConversationSummary } from "@chatlog/core";
import {
  actingAs,
  COMMON_HELP,
  type Command,
  integerOption,
  OWNER_HELP,
  OWNER_OPTION,
  stringOption,
} from "../command.ts";
import { withDatabase } from "../database.ts";
import { ChunkedWriter } from "../output.ts";
import { allConversations } from "../pages.ts";
import { printable } from "../printable.ts";

const time = (date: Date) => date.toISOString().replace("T", " ").replace("Z", "");

/** Titles are cut for a terminal line; --json has the whole title. */
const TITLE_CHARS = 60;

function shortTitle(title: string | null): string {
  if (title === null) return "";
  const chars = Array.from(title);
  return chars.length <= TITLE_CHARS ? title : `${chars.slice(0, TITLE_CHARS - 1).join("")}…`;
}

function row(c: ConversationSummary): string {
  const line = `${time(c.lastActivityAt)}  ${time(c.createdAt)}  ${String(c.eventCount).padStart(8)}  ${printable(c.conversationId)}  ${printable(c.ownerId ?? "-")}  ${printable(shortTitle(c.title))}`;
  return line.trimEnd();
}

function jsonRow(c: ConversationSummary): string {
  return JSON.stringify({
    conversationId: c.conversationId,
    createdAt: c.createdAt.toISOString(),
    lastActivityAt: c.lastActivityAt.toISOString(),
    eventCount: c.eventCount,
    title: c.title,
    ownerId: c.ownerId,
  });
}

export const listCommand: Command = {
  name: "list",
  summary: "list conversations, most recently active first",
  help: `Usage: chatlog list [--owner <id>] [--limit <n> [--cursor <cursor>]] [--json] [--db <path-or-url>]

Lists conversations with their summary (last activity, creation time, event count, owner ("-"
when nobody's), and the title: the start of the first user message), most recently active
first. With --owner only that user's. Without --limit every conversation is listed (read in pages). With
--limit one page is printed, and the cursor of the next page is printed on stderr.

Options:
  --limit <n>          print one page of at most n conversations (1-1000)
  --cursor <cursor>    start after this cursor (from a previous page)
  --json               one JSON object per line instead of a table
${OWNER_HELP}

${COMMON_HELP}`,
  options: {
    limit: { type: "string" },
    cursor: { type: "string" },
    json: { type: "boolean" },
    ...OWNER_OPTION,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(context, { values }) {
    const limit = integerOption(values, "limit", "list", 1);
    const cursor = stringOption(values, "cursor");
    const json = values.json === true;
    const out = new ChunkedWriter(context.stdout);
    const format = json ? jsonRow : row;
    if (!json) {
      await out.line(
        `${"LAST ACTIVITY (UTC)".padEnd(23)}  ${"CREATED (UTC)".padEnd(23)}  ${"EVENTS".padStart(8)}  CONVERSATION  OWNER  TITLE`,
      );
    }
    await withDatabase(context, stringOption(values, "db"), { mustExist: true }, async (root) => {
      const repo = actingAs(root, values);
      if (limit === undefined && cursor === undefined) {
        for await (const c of allConversations(repo)) await out.line(format(c));
        return;
      }
      const page = await repo.listConversations({ limit: limit ?? 50, cursor: cursor ?? null });
      for (const c of page.conversations) await out.line(format(c));
      await out.flush();
      if (page.nextCursor !== null) {
        const owner = stringOption(values, "owner");
        const as = owner === undefined ? "" : ` --owner ${owner}`;
        context.stderr.write(`more: chatlog list${as} --limit ${limit ?? 50} --cursor ${page.nextCursor}\n`);
      }
    });
    await out.flush();
  },
};
