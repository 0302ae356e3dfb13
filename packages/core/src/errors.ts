/**
 * Stable error codes. Callers branch on `code`, never on messages; codes are only ever added.
 */
export const ERROR_CODES = [
  "INVALID_ARGUMENT", // a method argument (id, limit, cursor, option) is malformed
  "INVALID_EVENT", // an event is malformed (wrong field type, unknown field)
  "UNKNOWN_EVENT_TYPE", // event.type is not one of EVENT_TYPES
  "NOT_SERIALIZABLE", // extra / raw / tool arguments would not round-trip through JSON
  "NOT_FOUND", // a saved session or conversation that must exist does not
  "EMPTY_CONVERSATION", // saving a conversation that has no events
  "CONFLICT", // an imported event collides with a different stored event (same seq or request id)
  "CORRUPT_ROW", // a stored row could not be decoded completely (reported, not thrown)
  "CLOSED", // the repository was closed
  "FEATURE_DISABLED", // the call needs an option that is turned off (savedSessions.enabled)
  "BUSY", // the database stayed locked past the busy timeout
  "STORAGE_ERROR", // any other failure of the underlying database
  "MIGRATION_FAILED", // the schema could not be brought up to date
  "REQUEST_ID_CONFLICT", // a user message's request id was already used for different content
  "UNAVAILABLE", // a remote database could not be reached, timed out, or answered a 5xx / expired stream
  "TURN_TAKEN_OVER", // another process took over the turn this writer was generating; its writes were refused
  "NOT_OWNER", // a write through forOwner(user) into a conversation that is another user's (or nobody's); nothing was written
  "ADMIN_ONLY", // a call that spans every user's data (retention, clear, vacuum, stats, import) made through forOwner
  "NOT_LAST_REPLY", // a regeneration asked for a reply that is not the conversation's last message
  "NO_TURN_IN_FLIGHT", // a stop asked for a turn that is not generating
  "SEQ_LIMIT", // the conversation has reached MAX_SEQ: the write would take its seq past it, so nothing was written
] as const;
export type ChatlogErrorCode = (typeof ERROR_CODES)[number];

export interface ChatlogErrorOptions {
  cause?: unknown;
  /** Machine-readable details, e.g. the offending field's path. */
  details?: Record<string, unknown>;
}

export class ChatlogError extends Error {
  override readonly name = "ChatlogError";
  readonly code: ChatlogErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ChatlogErrorCode, message: string, options: ChatlogErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isChatlogError(value: unknown, code?: ChatlogErrorCode): value is ChatlogError {
  return value instanceof ChatlogError && (code === undefined || value.code === code);
}
