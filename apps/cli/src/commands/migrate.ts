import { inspectDatabase, printableDatabaseUrl } from "@chatlog/connect";
import { COMMON_HELP, type Command, stringOption } from "../command.ts";
import { resolveDatabase, withDatabase } from "../database.ts";

export const migrateCommand: Command = {
  name: "migrate",
  summary: "create the database or bring its schema up to date (also adopts a Python-era chat_history.db)",
  help: `Usage: chatlog migrate [--db <path-or-url>]

Creates the database if it does not exist and applies every pending migration. A database
written by the Python system is adopted in place and stays usable by it. Says which it did:
created, adopted, migrated (with the number of migrations applied) or up to date.

${COMMON_HELP}`,
  options: {},
  positionals: { min: 0, max: 0, name: "" },
  async run(context, { values }) {
    const db = stringOption(values, "db");
    const target = resolveDatabase(context, db);
    // Read before opening, which migrates: its dialect says what the database held.
    const before = await inspectDatabase(target);
    // Opening runs the migrations; stats() proves the migrated schema answers queries.
    const stats = await withDatabase(context, db, { mustExist: false }, (repo) => repo.stats());
    const where = target.file ?? printableDatabaseUrl(target.url);
    const contents = `${stats.events} events in ${stats.conversations} conversations`;
    let what: string;
    if (before === null)
      what = `database ${where} is at the current schema`; // not readable beforehand (remote libSQL)
    else if (before.kind === "empty" && target.driver === "postgres")
      what = `created chatlog's schema in database ${where}`; // Postgres databases are made by their owner
    else if (before.kind === "absent" || before.kind === "empty") what = `created database ${where}`;
    else if (before.kind === "legacy") {
      what = `adopted the Python-era database ${where} in place (it stays usable by the Python system)`;
    } else if (before.applied < before.shipped) {
      const n = before.shipped - before.applied;
      what = `migrated database ${where}: applied ${n} pending migration${n === 1 ? "" : "s"}`;
    } else what = `database ${where} is up to date`;
    context.stdout.write(`${what} (${contents})\n`);
  },
};
