import { ASSISTANT_DELTA_KIND, type ChatEvent, requestIdOf } from "@chatlog/core";

const isDelta = (e: ChatEvent) => e.type === "meta" && e.extra.kind === ASSISTANT_DELTA_KIND;
const userRequestIdOf = (e: ChatEvent) =>
  typeof e.extra.user_request_id === "string" ? e.extra.user_request_id : null;

/** Request ids of the snapshot's user messages that have no reply within the snapshot. */
export function unansweredTurns(events: readonly ChatEvent[]): string[] {
  const answered = new Set(
    events
      .filter((e) => e.type === "assistant_message")
      .map(userRequestIdOf)
      .filter((id) => id !== null),
  );
  const pending: string[] = [];
  for (const e of events) {
    const id = e.type === "user_message" ? requestIdOf(e) : null;
    if (id !== null && !answered.has(id)) pending.push(id);
  }
  return pending;
}

/**
 * What a saved session holds for a turn that was streaming when it was saved: the final reply
 * if it has landed since (`replies`, keyed by user request id; it replaces the turn's deltas),
 * else the deltas committed by then folded into one assistant message marked
 * `extra.partial: true` (the reply so far). Every other event is returned as saved.
 */
export function completeSavedTurns(
  events: readonly ChatEvent[],
  replies: ReadonlyMap<string, ChatEvent>,
): ChatEvent[] {
  const out: ChatEvent[] = [];
  const folded = new Map<string, ChatEvent>();
  for (const event of events) {
    const turn = isDelta(event) ? userRequestIdOf(event) : null;
    if (turn === null) {
      out.push(event);
      continue;
    }
    if (replies.has(turn)) continue;
    const partial = folded.get(turn);
    if (partial === undefined) {
      const first: ChatEvent = {
        ...event,
        type: "assistant_message",
        role: "assistant",
        content: typeof event.content === "string" ? event.content : "",
        extra: { user_request_id: turn, partial: true },
        raw: null,
      };
      folded.set(turn, first);
      out.push(first);
    } else {
      partial.content = `${partial.content as string}${typeof event.content === "string" ? event.content : ""}`;
      partial.seq = event.seq;
      partial.createdAt = event.createdAt;
    }
  }
  // A reply that landed after the save ends the snapshot (its seq is past the saved ones).
  for (const reply of replies.values()) out.push(reply);
  return out;
}
