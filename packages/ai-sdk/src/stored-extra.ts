import type { ChatEvent, JsonObject } from "@chatlog/core";

/**
 * The `extra` keys @chatlog/ai-sdk reads and writes. `message_id`, `user_request_id` and
 * `attempt` are the shared UIMessage <-> event contract (the server's turns write them too);
 * the `ui_*` keys belong to this package.
 */
export const UI_EXTRA = {
  messageId: "message_id",
  userRequestId: "user_request_id",
  attempt: "attempt",
  interrupted: "interrupted",
  /** A reply whose generation was stopped on request (a normal reply, with what was said). */
  stopped: "stopped",
  /** Revision of a message's parts: 0 for its first write, then one more per continuation. */
  rev: "ui_rev",
  /** Index of the first part a revision replaces (the parts before it are kept). */
  from: "ui_from",
  /** The message's `metadata` as of that revision (absent: no metadata). */
  metadata: "ui_metadata",
  /** Marks a tool_result written only so that the model sees a result shown by a UI part. */
  mirror: "ui_mirror",
  /** Marks the meta event a streamed reply begins with (it records the message id first). */
  kind: "kind",
} as const;

/** `extra.kind` of the meta event that records an assistant message id before its first chunk. */
export const MESSAGE_START_KIND = "ui_message_start";

export function stringExtra(event: { extra: JsonObject }, key: string): string | null {
  const value = event.extra[key];
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** The reply attempt an event belongs to (contract point 4: absent means 1). */
export function attemptOf(event: ChatEvent): number {
  const value = event.extra[UI_EXTRA.attempt];
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 1;
}

/** A stored revision of a UI message's parts: `content` holds the parts from `from` on. */
export interface Revision {
  rev: number;
  from: number;
  parts: JsonObject[];
}

export function revisionOf(event: ChatEvent): Revision | null {
  const rev = event.extra[UI_EXTRA.rev];
  const from = event.extra[UI_EXTRA.from];
  if (typeof rev !== "number" || !Number.isSafeInteger(rev) || rev < 0) return null;
  if (typeof from !== "number" || !Number.isSafeInteger(from) || from < 0) return null;
  if (!Array.isArray(event.content)) return null;
  return { rev, from, parts: event.content as JsonObject[] };
}

/** The metadata a server turn's reply carries in the UI: whether it was cut short or stopped. */
export function replyMarks(interrupted: boolean, stopped: boolean): JsonObject {
  return { ...(interrupted ? { interrupted: true } : {}), ...(stopped ? { stopped: true } : {}) };
}
