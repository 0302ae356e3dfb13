import { isNetworkError } from "./api/connection.ts";

/** Why a message could not be sent, as far as the person can act on it. */
export type SendProblem =
  | { kind: "too-large"; maxBytes: number | null }
  | { kind: "unreachable" }
  | { kind: "other" };

/**
 * useChat's transport throws the server's response body as the error message; a fetch that got
 * no answer throws a TypeError. This reads which of the cases a person can act on it was.
 */
export function sendProblemOf(error: Error): SendProblem {
  if (isNetworkError(error)) return { kind: "unreachable" };
  try {
    const body = JSON.parse(error.message) as { error?: { code?: string; maxBytes?: unknown } };
    if (body.error?.code === "PAYLOAD_TOO_LARGE") {
      const maxBytes = body.error.maxBytes;
      return { kind: "too-large", maxBytes: typeof maxBytes === "number" ? maxBytes : null };
    }
  } catch {
    // not a JSON body
  }
  return { kind: "other" };
}
