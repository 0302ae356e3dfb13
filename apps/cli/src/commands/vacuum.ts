import { COMMON_HELP, type Command, stringOption } from "../command.ts";
import { withDatabase } from "../database.ts";

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

export const vacuumCommand: Command = {
  name: "vacuum",
  summary: "give the space freed by prune/delete back to the file system (safe beside a live server)",
  help: `Usage: chatlog vacuum [--json] [--db <path-or-url>]

Deleting events (prune, delete, the full wipe) leaves free pages inside the file: SQLite reuses
them for new data but the file does not shrink. Run vacuum after a large prune or delete to
return that space to the file system.

The first run on a database switches it to incremental auto-vacuum with one full VACUUM, which
rewrites the file and holds the write lock while it does (writers elsewhere wait for it, up to
their busy timeout: run it when the database is quiet, or when it is small). Every later run
frees pages in small slices, each a short transaction, and is safe beside a live server.

Options:
  --json               print {"full", "bytesBefore", "bytesAfter"}

${COMMON_HELP}`,
  options: { json: { type: "boolean" } },
  positionals: { min: 0, max: 0, name: "" },
  async run(context, { values }) {
    const result = await withDatabase(context, stringOption(values, "db"), { mustExist: true }, (repo) =>
      repo.vacuum(),
    );
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const how = result.full ? "full VACUUM (the database now vacuums incrementally)" : "incremental vacuum";
    context.stdout.write(
      `${how}: ${mib(result.bytesBefore)} -> ${mib(result.bytesAfter)} (${mib(Math.max(0, result.bytesBefore - result.bytesAfter))} given back)\n`,
    );
  },
};
