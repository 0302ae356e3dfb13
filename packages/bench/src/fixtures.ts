import { bulkInsert, type RawDb, type RawRow, rawRow } from "./raw-db.ts";

/**
 * One turn of a realistic conversation: the user asks, the model calls a tool, the tool answers,
 * the model replies, and a bookkeeping meta event follows. Four of five are LLM-visible, so a
 * history query does not get to skip most rows.
 */
const TURN: readonly [type: string, role: string | null, content: string][] = [
  ["user_message", "user", "Can you check the order status for me?"],
  ["tool_call", "assistant", "lookup_order"],
  ["tool_result", "tool", '{"status":"shipped","eta":"2 days"}'],
  ["assistant_message", "assistant", "Your order has shipped and should arrive in about two days."],
  ["meta", null, "usage recorded"],
];

/** The same turn without its meta event: every event is LLM-visible. */
export const VISIBLE_TURN = TURN.slice(0, 4);

/** `count` events of one conversation, one millisecond apart, ending near now. */
export function* conversationRows(
  conversationId: string,
  count: number,
  endMs = Date.now(),
  turn = TURN,
): Generator<RawRow> {
  const start = endMs - count;
  for (let i = 0; i < count; i++) {
    const [type, role, content] = turn[i % turn.length]!;
    yield rawRow(conversationId, type, role, content, {}, start + i);
  }
}

/** Writes a conversation of `count` events in one raw transaction (fast fixture building). */
export function seedConversation(raw: RawDb, conversationId: string, count: number): void {
  bulkInsert(raw, conversationRows(conversationId, count));
}

/**
 * `conversations` conversations of `eventsEach` events, with distinct last-activity times so the
 * "most recently active" order is well defined.
 */
export function seedConversations(raw: RawDb, conversations: number, eventsEach: number): void {
  const now = Date.now();
  bulkInsert(
    raw,
    (function* () {
      for (let c = 0; c < conversations; c++) {
        yield* conversationRows(`conv-${String(c).padStart(6, "0")}`, eventsEach, now - c * 1000);
      }
    })(),
  );
}
