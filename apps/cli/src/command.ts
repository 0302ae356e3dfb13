import { type ParseArgsConfig, parseArgs } from "node:util";
import type { ChatRepository } from "@chatlog/core";
import type { CliContext } from "./context.ts";

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** A command line the user got wrong: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    /** Whose usage to print (a command name, or null for the top-level usage). */
    readonly command: string | null,
  ) {
    super(message);
  }
}

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

export interface Command {
  /** As typed: "list", "saved save". */
  name: string;
  /** One line for the top-level usage. */
  summary: string;
  /** The full --help text. */
  help: string;
  options: OptionSpecs;
  /** How many positional arguments the command takes. */
  positionals: { min: number; max: number; name: string };
  run(context: CliContext, args: ParsedArgs): Promise<void>;
}

/** --owner <id>: the commands that read or erase conversations can act as one user. */
export const OWNER_OPTION: OptionSpecs = { owner: { type: "string" } };

export const OWNER_HELP = `  --owner <id>         act as this user (see forOwner): only their conversations
                       exist; without it the command is the administrator's`;

/** The repository as --owner's user, or as it is (the administrator's). */
export function actingAs(repo: ChatRepository, values: OptionValues): ChatRepository {
  const owner = stringOption(values, "owner");
  return owner === undefined ? repo : repo.forOwner(owner);
}

/** Options every command accepts. */
export const COMMON_OPTIONS: OptionSpecs = {
  db: { type: "string" },
  help: { type: "boolean", short: "h" },
};

export const COMMON_HELP = `Common options:
  --db <path-or-url>   database: a file path, file:path, or libsql://, http(s)://, ws(s):// URL
                       (default: $DATABASE_URL, else chatlog.db in $CHATLOG_DATA_DIR,
                       else in data/ at the workspace root)
  -h, --help           show this help`;

/**
 * Parses a command's arguments strictly: an unknown option, a missing option value, or the
 * wrong number of positionals is a UsageError naming the command.
 */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs | "help" {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message, command.name);
  }
  const values = parsed.values as OptionValues;
  if (values.help === true) return "help";
  const { min, max, name } = command.positionals;
  if (parsed.positionals.length < min) throw new UsageError(`missing ${name}`, command.name);
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[max]}'`, command.name);
  }
  return { values, positionals: parsed.positionals };
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** A numeric option; anything that is not a finite number is a usage error. */
export function numberOption(values: OptionValues, name: string, command: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got '${text}'`, command);
  return value;
}

export function integerOption(
  values: OptionValues,
  name: string,
  command: string,
  min: number,
): number | undefined {
  const value = numberOption(values, name, command);
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) {
    throw new UsageError(`--${name} must be an integer >= ${min}`, command);
  }
  return value;
}
