import { ChatlogError, type GetEventsOptions } from "@chatlog/core";

export const MAX_LIST_PAGE = 1000;
export const DEFAULT_LIST_PAGE = 50;
/** Default page of a saved session's events. */
export const DEFAULT_EVENT_PAGE = 200;

function int(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new ChatlogError("INVALID_ARGUMENT", `${name} must be an integer >= ${min}`, {
      details: { field: name },
    });
  }
  return value;
}

export function limitOf(value: unknown, name = "limit"): number | undefined {
  return int(value, name, 1);
}

export function eventRange(opts: GetEventsOptions = {}) {
  return {
    limit: limitOf(opts.limit),
    afterSeq: int(opts.afterSeq, "afterSeq", Number.MIN_SAFE_INTEGER),
    beforeSeq: int(opts.beforeSeq, "beforeSeq", Number.MIN_SAFE_INTEGER),
  };
}

/**
 * Page cursors are opaque to callers: base64url of a JSON array of keyset values. `shape` says
 * what a decoded one must hold; anything else (a made-up or damaged cursor) is INVALID_ARGUMENT.
 */
function encodeCursor(values: (number | string)[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

function decodeCursor(cursor: string, shape: ("number" | "string")[], what: string): unknown[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === shape.length &&
      shape.every((kind, i) => (kind === "number" ? Number.isFinite(value[i]) : typeof value[i] === "string"))
    ) {
      return value;
    }
  } catch {
    // fall through
  }
  throw new ChatlogError("INVALID_ARGUMENT", `cursor is not a cursor returned by ${what}`, {
    details: { field: "cursor" },
  });
}

/** Conversation-list cursors: [lastActivityMs, conversationId]. */
export function encodeListCursor(lastActivityMs: number, conversationId: string): string {
  return encodeCursor([lastActivityMs, conversationId]);
}

export function decodeListCursor(cursor: string): { ms: number; id: string } {
  const [ms, id] = decodeCursor(cursor, ["number", "string"], "listConversations");
  return { ms: ms as number, id: id as string };
}

/** Saved-session-list cursors: [createdAtMs, rowid], the list's own order. */
export function encodeSavedCursor(createdAtMs: number, rowid: number): string {
  return encodeCursor([createdAtMs, rowid]);
}

export function decodeSavedCursor(cursor: string): { ms: number; rowid: number } {
  const [ms, rowid] = decodeCursor(cursor, ["number", "number"], "listSavedSessionsPage");
  return { ms: ms as number, rowid: rowid as number };
}
