import { ChatlogError, type GetEventsOptions } from "@chatlog/core";

export const MAX_LIST_PAGE = 1000;
export const DEFAULT_LIST_PAGE = 50;

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

/** Conversation-list cursors are opaque to callers: base64url of [lastActivityMs, conversationId]. */
export function encodeListCursor(lastActivityMs: number, conversationId: string): string {
  return Buffer.from(JSON.stringify([lastActivityMs, conversationId])).toString("base64url");
}

export function decodeListCursor(cursor: string): { ms: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && Number.isFinite(value[0]) && typeof value[1] === "string") {
      return { ms: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new ChatlogError("INVALID_ARGUMENT", "cursor is not a cursor returned by listConversations", {
    details: { field: "cursor" },
  });
}
