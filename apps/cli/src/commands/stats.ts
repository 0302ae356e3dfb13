import { COMMON_HELP, type Command, stringOption } from "../command.ts";
import { resolveDatabase, withDatabase } from "../database.ts";
import { utcTime } from "../transcript.ts";

export const statsCommand: Command = {
  name: "stats",
  summary: "events by type, conversations, database size, oldest and newest activity",
  help: `Usage: chatlog stats [--json] [--db <path-or-url>]

Options:
  --json               print the figures as JSON

${COMMON_HELP}`,
  options: { json: { type: "boolean" } },
  positionals: { min: 0, max: 0, name: "" },
  async run(context, { values }) {
    const db = stringOption(values, "db");
    const target = resolveDatabase(context, db);
    const stats = await withDatabase(context, db, { mustExist: true }, (repo) => repo.stats());
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify(stats)}\n`);
      return;
    }
    const time = (date: Date | null) => (date === null ? "-" : utcTime(date));
    const lines = [
      `database:         ${target.file ?? target.url.replace(/\/\/[^@/]*@/, "//")} (${target.driver})`,
      `size:             ${stats.databaseBytes.toLocaleString("en-US")} bytes`,
      `conversations:    ${stats.conversations}`,
      `saved sessions:   ${stats.savedSessions}`,
      `events:           ${stats.events}`,
      ...Object.entries(stats.eventsByType)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, n]) => `  ${`${type}:`.padEnd(20)}${n}`),
      `oldest activity:  ${time(stats.oldestActivity)}`,
      `newest activity:  ${time(stats.newestActivity)}`,
      "",
    ];
    context.stdout.write(lines.join("\n"));
  },
};
