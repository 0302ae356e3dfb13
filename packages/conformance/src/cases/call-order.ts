import type { ChatRepository, NewChatEvent } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { delta, withDb } from "./support.ts";

/**
 * Rounds of the order case. One round submits every write of several turns into several
 * conversations without awaiting any (one flush of the write queue); a driver that commits a
 * flush's jobs out of order gets caught within a few rounds, so the case repeats to be reliable.
 */
const ROUNDS = 6;
const TURNS = 4;
const CONVERSATIONS = ["c1", "c2", "c3"];

/** The writes of one round, and per conversation the contents its stored events must show, in seq order. */
interface Round {
  readonly calls: Promise<unknown>[];
  readonly expected: Map<string, string[]>;
}

/**
 * One turn in `conversationId`, every kind of write a turn makes, none awaited: the user message
 * (a two-statement job), a tool call and its result (single appends, which a driver may batch),
 * streamed deltas then their compaction (a job of three statements, which removes the deltas and
 * appends the reply), and a retried tool result (a duplicate: stored once, at its first call).
 */
function submitTurn(repo: ChatRepository, round: Round, conversationId: string, tag: string): void {
  const stored = round.expected.get(conversationId) ?? [];
  round.expected.set(conversationId, stored);
  const requestId = `req-${tag}`;
  const label = (what: string) => `${conversationId} ${tag} ${what}`;
  round.calls.push(repo.handleUserMessagePersistence(conversationId, label("question"), requestId));
  const call: NewChatEvent = {
    conversationId,
    type: "tool_call",
    role: "assistant",
    content: label("call"),
    toolCalls: [{ id: `call-${tag}`, name: "lookup", arguments: {} }],
  };
  round.calls.push(repo.addEvent(call));
  const result: NewChatEvent = {
    conversationId,
    type: "tool_result",
    role: "tool",
    content: label("result"),
    extra: { tool_call_id: `call-${tag}`, request_id: `result-${tag}` },
  };
  round.calls.push(repo.addEvent(result));
  round.calls.push(repo.addEvent(delta(conversationId, requestId, label("delta 1"))));
  round.calls.push(repo.addEvent(delta(conversationId, requestId, label("delta 2"))));
  round.calls.push(repo.compactDeltas(conversationId, requestId, label("reply")));
  round.calls.push(
    repo.addEvent(result).then((retry) => expect(retry.added, `${label("result")} retried`).toBe(false)),
  );
  stored.push(label("question"), label("call"), label("result"), label("reply"));
}

export function callOrderCases(h: DriverHarness): void {
  describe("writes in call order", () => {
    it("writes submitted without awaiting get seqs in call order, per conversation, beside other conversations", () =>
      withDb(h, async ({ repo, raw }) => {
        const alice = repo.forOwner("alice");
        for (let r = 0; r < ROUNDS; r++) {
          const round: Round = { calls: [], expected: new Map() };
          for (let t = 0; t < TURNS; t++) {
            for (const c of CONVERSATIONS) submitTurn(repo, round, `${c}-${r}`, `${r}.${t}`);
            // A user's write is a job of its own shape (ownership claim and check, then the append).
            const mine = `alice-${r}`;
            const text = `${mine} note ${t}`;
            round.calls.push(
              alice.addEvent({ conversationId: mine, type: "user_message", role: "user", content: text }),
            );
            round.expected.set(mine, [...(round.expected.get(mine) ?? []), text]);
          }
          await Promise.all(round.calls);
          for (const [conversationId, contents] of round.expected) {
            const rows = await raw.all(
              "SELECT content FROM chat_events WHERE conversation_id = ? ORDER BY seq",
              conversationId,
            );
            expect(
              rows.map((row) => row.content),
              `round ${r}, ${conversationId}`,
            ).toEqual(contents);
          }
        }
      }));
  });
}
