import { MAX_ID_LENGTH } from "@chatlog/core";
import { HttpError } from "./errors.ts";

/**
 * What an id from a client (a path segment, a request id) may not contain: control characters
 * (C0, DEL, C1, NUL among them), line and paragraph separators, and lone UTF-16 surrogates,
 * which are not text at all. Everything else printable, emoji included, is fine.
 */
const NOT_PRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Why `value` is not an acceptable id, or null when it is. */
export function idProblem(value: string): string | null {
  if (value.length === 0) return "must not be empty";
  if (value.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  if (NOT_PRINTABLE.test(value)) return "must be printable text (no control characters or lone surrogates)";
  return null;
}

/** Throws a 400 INVALID_ARGUMENT naming `name` unless `value` is an acceptable id. */
export function checkId(value: string, name: string): void {
  const problem = idProblem(value);
  if (problem !== null) throw new HttpError(400, "INVALID_ARGUMENT", `${name} ${problem}`);
}
