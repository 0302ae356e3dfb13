import { ChatlogError } from "@chatlog/core";
import type { FailureKind } from "@chatlog/engine";

/** SQLSTATEs by what they mean to chatlog (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const CONFLICT = new Set(["23505"]); // unique_violation
const BUSY = new Set(["40001", "40P01", "55P03"]); // serialization failure, deadlock, lock not available
/** Connection exceptions (08xxx), shutdown (57P01-03), too many connections (53300). */
const UNAVAILABLE_STATE = /^(08|57P0[123]|53300)/;
/** Socket-level failures node-postgres passes through from Node. */
const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
]);
const CLOSED_CONNECTION =
  /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/i;

function* causes(error: unknown): Generator<unknown> {
  for (let e = error, depth = 0; e !== null && e !== undefined && depth < 5; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/** By the error's structured fields (SQLSTATE, errno), never by its words (pg's own messages aside). */
export function classifyPostgresError(error: unknown): FailureKind | null {
  for (const e of causes(error)) {
    const code = String((e as { code?: unknown }).code ?? "");
    if (CONFLICT.has(code)) return "conflict";
    if (BUSY.has(code)) return "busy";
    if (UNAVAILABLE_STATE.test(code) || UNAVAILABLE_ERRNO.has(code)) return "unavailable";
    if (
      e instanceof AggregateError &&
      e.errors.some((inner) => classifyPostgresError(inner) === "unavailable")
    ) {
      return "unavailable";
    }
    // node-postgres reports a dropped or never-made connection as a plain Error, without a code.
    if (
      e instanceof Error &&
      !(e instanceof ChatlogError) &&
      code === "" &&
      CLOSED_CONNECTION.test(e.message)
    ) {
      return "unavailable";
    }
  }
  return null;
}

/** A server URL with its password (and query string, which may hold one) left out, for messages. */
export function redactedLocation(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    url.password = "";
    url.search = "";
    return url.toString();
  } catch {
    return "the Postgres server";
  }
}

/** A driver error as a one-line ChatlogError naming the server (`location`, a redacted URL). */
export function toPostgresChatlogError(error: unknown, location?: string): ChatlogError {
  if (error instanceof ChatlogError) return error;
  const e = error as { code?: unknown; detail?: unknown } | null;
  const code = String(e?.code ?? "");
  const first = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const text = (first instanceof Error ? first.message : String(first)).split("\n")[0]!.trim();
  const where = location === undefined ? "" : ` (database ${location})`;
  const details = { driverCode: code, ...(location === undefined ? {} : { url: location }) };
  const kind = classifyPostgresError(error);
  const as = kind === "busy" ? "BUSY" : kind === "unavailable" ? "UNAVAILABLE" : "STORAGE_ERROR";
  const prefix = kind === "unavailable" ? "the Postgres server could not be reached: " : "";
  return new ChatlogError(as, `${prefix}${text}${where}`, { cause: error, details });
}
