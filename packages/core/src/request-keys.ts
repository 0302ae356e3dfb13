import { ChatlogError } from "./errors.ts";

/**
 * Idempotency keys (`extra.request_id`) live in two namespaces that must never meet:
 *
 * - client keys: the request id of a user message (an HTTP request id, an AI SDK user message
 *   id), chosen by whoever calls chatlog;
 * - chatlog's own keys, derived from a client key: the reply to it, the tool calls and results
 *   of its turn. They all begin with a reserved word followed by `:` or `#`.
 *
 * A client key may not begin that way (`assertClientRequestId`), so a client can never take the
 * key of another request's reply. Every derived key is built here and nowhere else.
 */
export const RESERVED_KEY_WORDS = ["assistant", "tool_call", "tool_result", "chatlog"] as const;

const RESERVED_PATTERN = new RegExp(`^(?:${RESERVED_KEY_WORDS.join("|")})[:#]`);

/** Whether `key` lies in chatlog's own namespace. */
export function isReservedRequestId(key: string): boolean {
  return RESERVED_PATTERN.test(key);
}

/**
 * The id of an assistant message a turn writes (the server's turns, streamChatTurn): in
 * chatlog's own namespace, so a message id tells its owner's kind. A user message id is a client
 * key and never begins so; an assistant message id made here can therefore never be taken by a
 * user message (issue 15, defect 4). `unique` is a fresh random id.
 */
export function turnMessageId(unique: string): string {
  return `${TURN_MESSAGE_PREFIX}${unique}`;
}

const TURN_MESSAGE_PREFIX = "chatlog:msg:";

/** Whether `id` was made by turnMessageId (an assistant message a turn owns). */
export function isTurnMessageId(id: string): boolean {
  return id.startsWith(TURN_MESSAGE_PREFIX);
}

/**
 * Rejects a client-chosen request id that lies in chatlog's own namespace: an assistant message
 * id a turn made is REQUEST_ID_CONFLICT (the id is taken, by a message of another kind), any
 * other reserved key INVALID_ARGUMENT.
 */
export function assertClientRequestId(key: string, name = "requestId"): void {
  if (isTurnMessageId(key)) {
    throw new ChatlogError(
      "REQUEST_ID_CONFLICT",
      `${name} is an assistant message's id; a user message needs an id of its own`,
      { details: { field: name } },
    );
  }
  if (isReservedRequestId(key)) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      `${name} must not begin with one of chatlog's reserved prefixes (${RESERVED_KEY_WORDS.map((w) => `${w}:`).join(", ")})`,
      { details: { field: name } },
    );
  }
}

/**
 * Rejects a key that cannot name a turn: a client key names one, and so does a turn key chatlog
 * derives itself (the `chatlog:` namespace, e.g. `continuationRequestId`); the keys of replies
 * and tool events (`assistant:`, `tool_call:`, `tool_result:`) never do. Replies are keyed from
 * a turn key, so a reply key can never be made to imitate another turn's reply.
 */
export function assertTurnRequestId(key: string, name = "requestId"): void {
  if (!key.startsWith("chatlog:")) assertClientRequestId(key, name);
}

/**
 * The key of the reply to user request `userRequestId`. Attempt 1 is `assistant:<id>`, the
 * Python system's key, so its databases keep working; a regenerated reply (attempt n > 1) is
 * `assistant#<n>:<id>`.
 */
export function assistantReplyKey(userRequestId: string, attempt = 1): string {
  return attempt === 1 ? `assistant:${userRequestId}` : `assistant#${attempt}:${userRequestId}`;
}

/**
 * Keys of one tool call and its result within a reply (attempt n of the reply to
 * `userRequestId`). The ids are JSON-encoded together, so ids containing `:` cannot make two
 * different pairs produce the same key; the attempt is part of the key because a regenerated
 * reply may reuse the tool call ids of the one it replaces.
 */
export function toolCallKey(userRequestId: string, toolCallId: string, attempt = 1): string {
  return `tool_call:${turnPart(userRequestId, toolCallId, attempt)}`;
}

export function toolResultKey(userRequestId: string, toolCallId: string, attempt = 1): string {
  return `tool_result:${turnPart(userRequestId, toolCallId, attempt)}`;
}

function turnPart(userRequestId: string, toolCallId: string, attempt: number): string {
  return JSON.stringify(attempt === 1 ? [userRequestId, toolCallId] : [userRequestId, toolCallId, attempt]);
}

/**
 * Keys of the events @chatlog/ai-sdk writes for one AI SDK UI message (`messageId` is the
 * UIMessage's id): revision `rev` of its parts (revision 0 is the message's first write, so its
 * key tells whether the message exists), and the model-facing copy of one of its tool results.
 */
export function uiPartsKey(messageId: string, rev: number): string {
  return `chatlog:ui_parts:${JSON.stringify([messageId, rev])}`;
}

export function uiToolResultKey(messageId: string, toolCallId: string): string {
  return `chatlog:ui_tool_result:${JSON.stringify([messageId, toolCallId])}`;
}

/**
 * The request id under which a continuation of assistant message `messageId` is streamed and
 * compacted (the generation that follows a tool approval, appended to the same message).
 * `partCount` is how many parts the message had when the continuation was asked for, so a retry
 * of the same continuation gets the same key and a later one a new key.
 */
export function continuationRequestId(messageId: string, partCount: number): string {
  return `chatlog:continue:${JSON.stringify([messageId, partCount])}`;
}

/**
 * The key of the event a streamed reply to user request `userRequestId` begins with: it records
 * the assistant message id before the first chunk, and, being unique, is the claim that makes
 * one request (of several retries) the one that runs the model.
 */
export function replyStartKey(userRequestId: string, attempt = 1): string {
  return `chatlog:reply_start:${JSON.stringify(attempt === 1 ? [userRequestId] : [userRequestId, attempt])}`;
}

/**
 * The key of the record that asks the generator of a turn (user request `userRequestId`, reply
 * attempt `attempt`) to stop: one per turn, so a repeated stop adds nothing, and any process
 * can write it while the holder of the turn's claim, wherever it runs, reads it.
 */
export function turnStopKey(userRequestId: string, attempt = 1): string {
  return `chatlog:turn_stop:${JSON.stringify([userRequestId, attempt])}`;
}
