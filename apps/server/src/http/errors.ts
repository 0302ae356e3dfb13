import { ChatlogError, type ChatlogErrorCode } from "@chatlog/core";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error the HTTP layer answers with its own status and code. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Every library code has a status (the Record type makes a new code a compile error until it
 * is mapped here). The index signature admits codes other branches add to ERROR_CODES before
 * they reach this one's type.
 */
const STATUS_BY_CODE: Record<ChatlogErrorCode, ContentfulStatusCode> &
  Readonly<Record<string, ContentfulStatusCode>> = {
  INVALID_ARGUMENT: 400,
  INVALID_EVENT: 400,
  UNKNOWN_EVENT_TYPE: 400,
  NOT_SERIALIZABLE: 400,
  NOT_FOUND: 404,
  EMPTY_CONVERSATION: 404,
  CONFLICT: 409,
  FEATURE_DISABLED: 409,
  CORRUPT_ROW: 500,
  CLOSED: 503,
  BUSY: 503,
  STORAGE_ERROR: 500,
  MIGRATION_FAILED: 500,
  /** A request id reused with different content (the first content is what is stored). */
  REQUEST_ID_CONFLICT: 409,
  /** A remote database that cannot be reached right now: retry later. */
  UNAVAILABLE: 503,
  /** Another process took the turn over; a retry of the same request follows its reply. */
  TURN_TAKEN_OVER: 409,
  /**
   * Another user's conversation: the same status as one that does not exist, so a user learns
   * nothing about conversations that are not theirs from any route.
   */
  NOT_OWNER: 404,
  /** A call for the administrator's token only (e.g. listing another user's conversations). */
  ADMIN_ONLY: 403,
  /** Only the conversation's last reply can be regenerated (as the AI SDK's client does). */
  NOT_LAST_REPLY: 409,
  /** A stop for a conversation or turn with nothing generating. */
  NO_TURN_IN_FLIGHT: 409,
  /** The conversation has reached its highest seq (MAX_SEQ); it takes no more events. */
  SEQ_LIMIT: 409,
};

/** The status a stable error code answers with (500 for a code this server does not know). */
export function statusOfCode(code: string): ContentfulStatusCode {
  return STATUS_BY_CODE[code] ?? 500;
}

/** `{ error: { code, message } }`, plus fields a client can act on (e.g. `maxBytes` of a 413). */
export function errorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { ...details, code, message } };
}

/** Maps any thrown value to `{ error: { code, message } }` with a fitting status. */
export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof HttpError) return c.json(errorBody(error.code, error.message), error.status);
  if (error instanceof ChatlogError) {
    return c.json(errorBody(error.code, error.message), STATUS_BY_CODE[error.code] ?? 500);
  }
  return c.json(errorBody("INTERNAL", "internal server error"), 500);
}

export function isServerError(error: unknown): boolean {
  if (error instanceof HttpError) return error.status >= 500;
  if (error instanceof ChatlogError) return (STATUS_BY_CODE[error.code] ?? 500) >= 500;
  return true;
}
