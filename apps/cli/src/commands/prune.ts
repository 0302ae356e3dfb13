import type { RetentionOptions, SavedSessionOptions } from "@chatlog/core";
import {
  COMMON_HELP,
  type Command,
  integerOption,
  numberOption,
  stringOption,
  UsageError,
} from "../command.ts";
import { withDatabase } from "../database.ts";

export const pruneCommand: Command = {
  name: "prune",
  summary: "run the retention policies once and print what was removed",
  help: `Usage: chatlog prune [--max-age-hours <h>] [--max-messages <n>] [--max-sessions <n>]
                    [--saved-retention-days <d>] [--json] [--db <path-or-url>]

Runs the given retention policies once (at least one is required). Saved conversations are
never deleted, and a conversation is only ever cut before a user message, so no tool call
loses its result.

Options:
  --max-age-hours <h>         delete events older than h hours
  --max-messages <n>          keep at most n events in total (the oldest go first)
  --max-sessions <n>          keep at most n conversations (the least recently active go first)
  --saved-retention-days <d>  drop saved sessions older than d days
  --json                      print the result as JSON

${COMMON_HELP}`,
  options: {
    "max-age-hours": { type: "string" },
    "max-messages": { type: "string" },
    "max-sessions": { type: "string" },
    "saved-retention-days": { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(context, { values }) {
    const retention: RetentionOptions = {};
    const savedSessions: SavedSessionOptions = {};
    const maxAgeHours = numberOption(values, "max-age-hours", "prune");
    const maxMessages = integerOption(values, "max-messages", "prune", 0);
    const maxSessions = integerOption(values, "max-sessions", "prune", 0);
    const retentionDays = numberOption(values, "saved-retention-days", "prune");
    if (maxAgeHours !== undefined) retention.maxAgeHours = maxAgeHours;
    if (maxMessages !== undefined) retention.maxMessages = maxMessages;
    if (maxSessions !== undefined) retention.maxSessions = maxSessions;
    if (retentionDays !== undefined) savedSessions.retentionDays = retentionDays;
    if (Object.keys(retention).length === 0 && retentionDays === undefined) {
      throw new UsageError("give at least one policy to prune with", "prune");
    }
    const result = await withDatabase(
      context,
      stringOption(values, "db"),
      { mustExist: true, repository: { retention, savedSessions } },
      (repo) => repo.runRetention(),
    );
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    context.stdout.write(
      [
        `deleted by age:           ${result.deletedByAge} events`,
        `deleted by max messages:  ${result.deletedByMaxMessages} events`,
        `deleted by max sessions:  ${result.deletedByMaxSessions} events`,
        `removed conversations:    ${result.removedConversations}`,
        `expired saved sessions:   ${result.expiredSavedSessions}`,
        "",
      ].join("\n"),
    );
  },
};
