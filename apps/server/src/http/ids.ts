import { idProblem } from "@chatlog/core";
import { HttpError } from "./errors.ts";

/**
 * Throws a 400 INVALID_ARGUMENT naming `name` unless `value` is an acceptable id. The rule is the
 * library's (`idProblem` in @chatlog/core: printable, bounded, well-formed, emoji fine), checked
 * here before anything runs so that a bad id is a 400 rather than an error inside a stream.
 */
export function checkId(value: string, name: string): void {
  const problem = idProblem(value);
  if (problem !== null) throw new HttpError(400, "INVALID_ARGUMENT", `${name} ${problem}`);
}
