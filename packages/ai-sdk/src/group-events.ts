import { type ChatEvent, isReservedRequestId, requestIdOf } from "@chatlog/core";
import { attemptOf, MESSAGE_START_KIND, revisionOf, stringExtra, UI_EXTRA } from "./stored-extra.ts";

/**
 * Which UI message each event belongs to, for a run of events in seq order:
 *
 * - a user_message is a message of its own (id: its request id, else its event id);
 * - every event carrying `extra.message_id` belongs to that assistant (or system) message;
 * - an event of a server turn without one (older rows) belongs to its turn's reply, keyed by
 *   `user_request_id` and attempt, unless another event of that turn names the message id;
 * - a tool_result without either joins the message holding its call;
 * - a bare assistant_message or tool_call (an import, the Python system) is its own message.
 *
 * Events of a reply attempt that a later attempt replaced (contract point 4) are marked hidden.
 */
export class EventGrouping {
  private readonly maxAttempt = new Map<string, number>();
  private readonly turnMessage = new Map<string, string>();
  private readonly callGroup = new Map<string, string>();

  constructor(events: readonly ChatEvent[]) {
    for (const event of events) {
      const turn = stringExtra(event, UI_EXTRA.userRequestId);
      if (turn === null) continue;
      const attempt = attemptOf(event);
      if (attempt > (this.maxAttempt.get(turn) ?? 0)) this.maxAttempt.set(turn, attempt);
      const messageId = stringExtra(event, UI_EXTRA.messageId);
      const turnKey = `${turn}#${attempt}`;
      if (messageId !== null && !this.turnMessage.has(turnKey)) this.turnMessage.set(turnKey, messageId);
    }
    for (const event of events) {
      if (event.type !== "tool_call" && event.type !== "assistant_message") continue;
      const key = this.keyOf(event);
      if (key === null) continue;
      for (const call of event.toolCalls) if (!this.callGroup.has(call.id)) this.callGroup.set(call.id, key);
    }
  }

  /** The group key of an event, or null for events no message shows. */
  keyOf(event: ChatEvent): string | null {
    if (event.type === "user_message") return `u:${requestIdOf(event) ?? event.id}`;
    if (event.type === "meta") {
      const kind = stringExtra(event, UI_EXTRA.kind);
      if (kind !== "assistant_delta" && kind !== MESSAGE_START_KIND) return null;
    }
    if (event.type === "system_update" && revisionOf(event) === null) return null;
    const messageId = stringExtra(event, UI_EXTRA.messageId);
    if (messageId !== null) return `m:${messageId}`;
    const turn = stringExtra(event, UI_EXTRA.userRequestId);
    if (turn !== null) {
      const turnKey = `${turn}#${attemptOf(event)}`;
      const named = this.turnMessage.get(turnKey);
      return named === undefined ? `t:${turnKey}` : `m:${named}`;
    }
    if (event.type === "tool_result") {
      const callId = stringExtra(event, "tool_call_id");
      return callId === null ? null : (this.callGroup.get(callId) ?? null);
    }
    if (event.type === "assistant_message" || event.type === "tool_call") return `e:${event.id}`;
    return null;
  }

  /** Whether the event belongs to a reply attempt that a later attempt replaced. */
  isSuperseded(event: ChatEvent): boolean {
    const turn = stringExtra(event, UI_EXTRA.userRequestId);
    if (turn === null) return false;
    return attemptOf(event) < (this.maxAttempt.get(turn) ?? 1);
  }

  /** The user request this event answers, when that is a client's key (not a continuation's). */
  linkedUserRequest(event: ChatEvent): string | null {
    const turn = stringExtra(event, UI_EXTRA.userRequestId);
    return turn !== null && !isReservedRequestId(turn) ? turn : null;
  }

  /** A tool_result whose call is not among the events (yet): it belongs to an older event. */
  isOrphanResult(event: ChatEvent): boolean {
    return event.type === "tool_result" && this.keyOf(event) === null;
  }
}
