import {
  assertClientRequestId,
  assertId,
  type ChatEvent,
  ChatlogError,
  type ChatRepository,
  type JsonObject,
  uiPartsKey,
  validateEvent,
} from "@chatlog/core";
import { safeValidateUIMessages, type UIMessage } from "ai";
import { foldReply } from "./fold-message.ts";
import {
  assertAssistantMessageIdFree,
  assertSameUserMessage,
  assertUserMessageIdFree,
} from "./message-ids.ts";
import { sameJson } from "./same-json.ts";
import { progressOf } from "./tool-parts.ts";
import { revisionEvents, userMessageEvent } from "./ui-to-events.ts";

export interface SaveUIMessageResult {
  /** false when the message (or this version of it) was stored before: nothing was written. */
  added: boolean;
}

/** Rejects what is not a UIMessage the SDK would accept, before anything is written. */
export async function assertUIMessage(message: unknown, name = "message"): Promise<UIMessage> {
  const checked = await safeValidateUIMessages({ messages: [message] });
  if (!checked.success) {
    throw new ChatlogError("INVALID_ARGUMENT", `${name} is not a valid UIMessage: ${checked.error.message}`, {
      cause: checked.error,
      details: { field: name },
    });
  }
  const valid = message as UIMessage;
  assertId(valid.id, `${name}.id`);
  return valid;
}

/**
 * Stores one UIMessage exactly once, keyed by its id.
 *
 * A user message becomes a user_message event whose request id is the message id (so it is the
 * same turn whether it came through saveUIMessage, /v1 or /api/chat). An assistant or system
 * message becomes a revision (its parts as they are, see ui-to-events.ts). Saving the same
 * message again adds nothing. Saving it again with more parts, or with tool parts further along
 * (an approval answered, an output arrived: a continuation), appends a revision holding only
 * what changed; an older or conflicting copy of a stored message (a client's stale echo) is
 * never written over the stored one. Every write is one transaction of events that each carry
 * their own idempotency key, so concurrent saves of one message store it once.
 */
export async function saveUIMessage(
  repo: ChatRepository,
  conversationId: string,
  input: UIMessage,
): Promise<SaveUIMessageResult> {
  assertId(conversationId, "conversationId");
  const message = await assertUIMessage(input);
  assertClientRequestId(message.id, "message.id");
  if (message.role === "user") {
    await assertUserMessageIdFree(repo, conversationId, message.id);
    const { added, event } = await repo.addEvent(userMessageEvent(conversationId, message));
    if (!added) assertSameUserMessage(event, message, conversationId);
    return { added };
  }
  await assertAssistantMessageIdFree(repo, conversationId, message.id);
  const stored = await readRevisions(repo, conversationId, message.id);
  if (stored === null) return { added: await writeAll(repo, conversationId, message, 0, 0) };
  const from = changedFrom(stored.message, message);
  if (from === null) return { added: false };
  return { added: await writeAll(repo, conversationId, message, stored.count, from) };
}

async function writeAll(
  repo: ChatRepository,
  conversationId: string,
  message: UIMessage,
  rev: number,
  from: number,
  extra: JsonObject = {},
): Promise<boolean> {
  const events = revisionEvents(conversationId, message, rev, from, extra);
  // All of them are checked before any is written, so a bad one leaves nothing behind.
  for (const event of events) validateEvent(event);
  // Issued together, without awaiting in between: the repository's write queue commits them in
  // one transaction (one batch remotely), in this order.
  const writes = events.map((event) => repo.addEvent(event));
  const [head] = await Promise.all(writes);
  return head?.added ?? false;
}

interface StoredMessage {
  /** How many revisions are stored (the next one's number). */
  count: number;
  message: UIMessage;
}

/** The stored revisions of a saved message (one indexed lookup each), or null when it is new. */
export async function readRevisions(
  repo: ChatRepository,
  conversationId: string,
  messageId: string,
): Promise<StoredMessage | null> {
  const head = await repo.getEventByRequestId(conversationId, uiPartsKey(messageId, 0));
  if (head === null) return null;
  const events: ChatEvent[] = [head];
  for (let rev = 1; ; rev++) {
    const next = await repo.getEventByRequestId(conversationId, uiPartsKey(messageId, rev));
    if (next === null) break;
    events.push(next);
  }
  const message = foldReply(messageId, events) ?? { id: messageId, role: "assistant", parts: [] };
  return { count: events.length, message };
}

/**
 * Where `next` starts to differ from `stored`, when `next` is the same message further along:
 * every stored part is still there, equal or replaced by the same part in a later state (a
 * streaming text now done, a tool call now answered). Null when there is nothing new, or when
 * `next` is older than or conflicts with what is stored.
 */
export function changedFrom(stored: UIMessage, next: UIMessage): number | null {
  if (next.role !== stored.role || next.parts.length < stored.parts.length) return null;
  let from: number | null = null;
  for (let i = 0; i < stored.parts.length; i++) {
    const before = stored.parts[i]!;
    const after = next.parts[i]!;
    if (sameJson(before, after)) continue;
    if (!sameIdentity(before, after) || progressOf(after) <= progressOf(before)) return null;
    from ??= i;
  }
  if (from === null && next.parts.length > stored.parts.length) from = stored.parts.length;
  return from;
}

function sameIdentity(a: UIMessage["parts"][number], b: UIMessage["parts"][number]): boolean {
  if (a.type !== b.type) return false;
  const callA = (a as { toolCallId?: string }).toolCallId;
  return callA === (b as { toolCallId?: string }).toolCallId;
}
