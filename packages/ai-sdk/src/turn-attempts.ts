import { ASSISTANT_DELTA_KIND, type ChatEvent, type JsonObject, type TurnKey } from "@chatlog/core";
import { attemptOf } from "./stored-extra.ts";

/**
 * How a turn's events are read, for the server's turns and streamChatTurn alike: a turn is
 * (conversation, user request id, attempt), and its events carry `extra.user_request_id`,
 * `extra.message_id` and (from the second attempt on) `extra.attempt`.
 */
export function isDelta(event: ChatEvent): boolean {
  return event.type === "meta" && event.extra.kind === ASSISTANT_DELTA_KIND;
}

/** The id of the assistant UIMessage an event belongs to (the contract's fallback: the reply's id). */
export function messageIdOf(event: ChatEvent): string | null {
  const id = event.extra.message_id;
  if (typeof id === "string" && id.length > 0) return id;
  return event.type === "assistant_message" ? event.id : null;
}

/** The events of one attempt of a turn, from all of the turn's events (getTurnEvents). */
export function eventsOfAttempt(events: readonly ChatEvent[], attempt: number): ChatEvent[] {
  return events.filter((e) => attemptOf(e) === attempt);
}

export function replyOf(events: readonly ChatEvent[], attempt: number): ChatEvent | undefined {
  return events.find((e) => e.type === "assistant_message" && attemptOf(e) === attempt);
}

/**
 * The extra every event of one reply carries: the user request it answers, the assistant
 * message id fixed when the turn started, and the attempt (written only from the second on,
 * so a first reply looks as it always did).
 */
export function replyExtra(turn: TurnKey, messageId: string): JsonObject {
  return {
    user_request_id: turn.userRequestId,
    message_id: messageId,
    ...(turn.attempt > 1 ? { attempt: turn.attempt } : {}),
  };
}
