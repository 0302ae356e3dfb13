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

const STATUS_BY_CODE: Record<ChatlogErrorCode, ContentfulStatusCode> = {
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
  UNAVAILABLE: 503,
};

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
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
