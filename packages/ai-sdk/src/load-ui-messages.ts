import { assertId, type ChatEvent, ChatlogError, type ChatRepository } from "@chatlog/core";
import type { UIMessage } from "ai";
import { foldReply, foldUserMessage } from "./fold-message.ts";
import { EventGrouping } from "./group-events.ts";
import { revisionOf } from "./stored-extra.ts";

export interface LoadUIMessagesOptions {
  /**
   * Keep only the most recent messages, about this many: a page never splits a message, and a
   * reply is never separated from the events that complete it, so it may hold one more.
   */
  limit?: number;
  /** `nextCursor` of the previous (newer) page: load the messages before it. */
  cursor?: string | null;
}

export interface UIMessagePage<MESSAGE extends UIMessage = UIMessage> {
  /** In conversation order (seq of each message's first event). */
  messages: MESSAGE[];
  /** Pass as `cursor` to load the older messages; null when there are none. */
  nextCursor: string | null;
}

const FIRST_CHUNK = 64;

function decodeCursor(cursor: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(cursor) || !Number.isSafeInteger(Number(cursor))) {
    throw new ChatlogError("INVALID_ARGUMENT", "cursor must be a nextCursor returned by loadUIMessages", {
      details: { field: "cursor" },
    });
  }
  return Number(cursor);
}

function validLimit(limit: unknown): number | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) {
    throw new ChatlogError("INVALID_ARGUMENT", "limit must be a positive integer", {
      details: { field: "limit" },
    });
  }
  return limit;
}

interface Group {
  key: string;
  events: ChatEvent[];
  hidden: boolean;
}

/**
 * The conversation as AI SDK UIMessages (see fold-message.ts for how events become parts).
 *
 * With `limit`, events are read backwards in growing chunks (each one indexed range read) until
 * the most recent `limit` messages are complete: a message is complete once its first event has
 * been read (a user message; the first revision of a saved message; for a turn's reply, the user
 * message it answers, which precedes every event of the reply, older attempts included). The
 * cursor is a seq below which no event of a returned message lies, so the next page neither
 * repeats a message nor misses part of one, and a tool part keeps its output across pages.
 */
export async function loadUIMessages<MESSAGE extends UIMessage = UIMessage>(
  repo: ChatRepository,
  conversationId: string,
  opts: LoadUIMessagesOptions = {},
): Promise<UIMessagePage<MESSAGE>> {
  assertId(conversationId, "conversationId");
  const limit = validLimit(opts.limit);
  const before = opts.cursor ? decodeCursor(opts.cursor) : undefined;

  if (limit === undefined) {
    const events = await repo.getEvents(conversationId, before === undefined ? {} : { beforeSeq: before });
    return { messages: toMessages(events) as MESSAGE[], nextCursor: null };
  }

  let events: ChatEvent[] = [];
  let chunk = Math.max(FIRST_CHUNK, limit * 4);
  let position = before ?? Number.MAX_SAFE_INTEGER;
  for (;;) {
    const older = await repo.getEvents(conversationId, { beforeSeq: position, limit: chunk });
    const atStart = older.length < chunk;
    events = [...older, ...events];
    if (older[0] !== undefined) position = older[0].seq;
    const cut = findCut(events, limit);
    if (cut !== null) {
      const page = events.filter((event) => event.seq >= cut);
      const olderExists = !atStart || events[0]!.seq < cut;
      return { messages: toMessages(page) as MESSAGE[], nextCursor: olderExists ? String(cut) : null };
    }
    if (atStart) return { messages: toMessages(events) as MESSAGE[], nextCursor: null };
    chunk *= 2;
  }
}

/**
 * Scans `events` (seq order) from the newest down and returns the lowest seq of the page: the
 * first point where at least `limit` visible messages are complete and no message is still
 * missing older events. Null when the events read so far do not reach such a point.
 */
function findCut(events: readonly ChatEvent[], limit: number): number | null {
  const grouping = new EventGrouping(events);
  const open = new Map<string, Set<string>>(); // group key -> user requests it waits for
  const waitingCalls = new Set<string>();
  const visible = new Set<string>();
  const hidden = new Set<string>();
  let complete = 0;

  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === "tool_call" || event.type === "assistant_message") {
      for (const call of event.toolCalls) waitingCalls.delete(call.id);
    }
    if (grouping.isOrphanResult(event)) {
      const callId = event.extra.tool_call_id;
      if (typeof callId === "string") waitingCalls.add(callId);
      continue;
    }
    const key = grouping.keyOf(event);
    if (key === null) continue;
    if (grouping.isSuperseded(event)) hidden.add(key);

    const completed: string[] = [];
    if (event.type === "user_message") {
      completed.push(key);
      const request = key.slice(2);
      for (const [other, waits] of open) if (waits.has(request)) completed.push(other);
    } else {
      const linked = grouping.linkedUserRequest(event);
      const waits = open.get(key) ?? new Set<string>();
      if (linked !== null) waits.add(linked);
      // A message's first event completes it: the first revision of a saved message, the event
      // a bare reply consists of. A turn's reply waits for the user message it answers instead.
      const first = key === `e:${event.id}` || revisionOf(event)?.rev === 0;
      if (waits.size === 0 && first) completed.push(key);
      else open.set(key, waits);
    }
    for (const k of completed) {
      open.delete(k);
      if (visible.has(k) || hidden.has(k)) continue;
      visible.add(k);
      complete++;
    }
    if (open.size === 0 && waitingCalls.size === 0 && complete >= limit) {
      // A user message that only pushes the page past the limit goes to the older page: its reply
      // lies entirely after it, so cutting just above it splits nothing.
      if (event.type === "user_message" && complete > limit) return event.seq + 1;
      return event.seq;
    }
  }
  return null;
}

function toMessages(events: readonly ChatEvent[]): UIMessage[] {
  const grouping = new EventGrouping(events);
  const groups = new Map<string, Group>();
  for (const event of events) {
    const key = grouping.keyOf(event);
    if (key === null) continue;
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, events: [], hidden: false };
      groups.set(key, group);
    }
    group.events.push(event);
    if (grouping.isSuperseded(event)) group.hidden = true;
  }
  const messages: UIMessage[] = [];
  for (const group of groups.values()) {
    if (group.hidden) continue;
    const first = group.events[0]!;
    if (first.type === "user_message") {
      messages.push(foldUserMessage(first));
      continue;
    }
    const message = foldReply(replyId(group), group.events);
    if (message !== null) messages.push(message);
  }
  return messages;
}

/** Contract point 2: the message id, else the id of the turn's final assistant_message. */
function replyId(group: Group): string {
  if (group.key.startsWith("m:")) return group.key.slice(2);
  const final = group.events.findLast((event) => event.type === "assistant_message");
  return (final ?? group.events[0]!).id;
}
