import { ASSISTANT_DELTA_KIND, type ChatEvent } from "@chatlog/core";

/** The reply attempt an event belongs to (extra.attempt; absent means the first). */
export function attemptOf(event: ChatEvent): number {
  const attempt = event.extra.attempt;
  return typeof attempt === "number" && Number.isInteger(attempt) && attempt > 0 ? attempt : 1;
}

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
