import { COMMON_HELP, type Command, stringOption } from "../command.ts";
import { resolveDatabase, withDatabase } from "../database.ts";

export const migrateCommand: Command = {
  name: "migrate",
  summary: "create the database or bring its schema up to date (also adopts a Python-era chat_history.db)",
  help: `Usage: chatlog migrate [--db <path-or-url>]

Creates the database if it does not exist and applies every pending migration. A database
written by the Python system is adopted in place and stays usable by it.

${COMMON_HELP}`,
  options: {},
  positionals: { min: 0, max: 0, name: "" },
  async run(context, { values }) {
    const db = stringOption(values, "db");
    const target = resolveDatabase(context, db);
    // Opening runs the migrations; stats() proves the migrated schema answers queries.
    const stats = await withDatabase(context, db, { mustExist: false }, (repo) => repo.stats());
    const where = target.file ?? target.url.replace(/\/\/[^@/]*@/, "//");
    context.stdout.write(
      `database ${where} is up to date (${stats.events} events in ${stats.conversations} conversations)\n`,
    );
  },
};
