import { describe, expect, it } from "vitest";
import type { ChatEvent } from "../src/events.ts";
import { buildLlmMessages, contentToText, eventsToLlmMessages } from "../src/llm-conversation.ts";

let seq = 0;
function ev(partial: Partial<ChatEvent> & Pick<ChatEvent, "type">): ChatEvent {
  seq += 1;
  return {
    id: `e${seq}`,
    conversationId: "c",
    seq,
    schemaVersion: 1,
    role: null,
    content: null,
    toolCalls: [],
    usage: null,
    provider: null,
    model: null,
    stopReason: null,
    tokenCount: null,
    createdAt: new Date(0),
    extra: {},
    raw: null,
    ...partial,
  };
}

describe("eventsToLlmMessages", () => {
  it("puts each tool result right after the assistant message carrying its call", () => {
    const messages = eventsToLlmMessages([
      ev({ type: "user_message", content: "weather?" }),
      ev({ type: "tool_call", toolCalls: [{ id: "a", name: "weather", arguments: { city: "Paris" } }] }),
      ev({ type: "system_update", content: "note", extra: { visible_to_model: true } }),
      ev({ type: "tool_result", content: "18C", extra: { tool_call_id: "a" } }),
      ev({ type: "assistant_message", content: "It is 18C." }),
    ]);
    expect(messages).toEqual([
      { role: "user", content: "weather?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "a", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: "tool", tool_call_id: "a", content: "18C" },
      { role: "system", content: "note" },
      { role: "assistant", content: "It is 18C." },
    ]);
  });

  it("drops a result whose call is missing and a call whose result is missing", () => {
    const messages = eventsToLlmMessages([
      ev({ type: "tool_result", content: "orphan", extra: { tool_call_id: "gone" } }),
      ev({
        type: "assistant_message",
        content: "checking",
        toolCalls: [
          { id: "x", name: "f", arguments: "{}" },
          { id: "y", name: "g", arguments: {} },
        ],
      }),
      ev({ type: "tool_result", content: "X", extra: { tool_call_id: "x" } }),
      ev({ type: "tool_call", toolCalls: [{ id: "z", name: "h", arguments: {} }] }),
    ]);
    expect(messages).toEqual([
      {
        role: "assistant",
        content: "checking",
        tool_calls: [{ id: "x", type: "function", function: { name: "f", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "x", content: "X" },
    ]);
  });

  it("sends only system updates marked visible_to_model === true", () => {
    const messages = eventsToLlmMessages([
      ev({ type: "system_update", content: "shown", extra: { visible_to_model: true } }),
      ev({ type: "system_update", content: "hidden", extra: { visible_to_model: 1 } }),
      ev({ type: "meta", content: "delta" }),
    ]);
    expect(messages).toEqual([{ role: "system", content: "shown" }]);
  });
});

describe("contentToText", () => {
  it("joins text parts and skips other parts", () => {
    expect(
      contentToText([
        { type: "text", text: "a" },
        { type: "image", url: "x" },
        { type: "text", text: "b" },
      ]),
    ).toBe("a\nb");
    expect(contentToText(null)).toBe("");
    expect(contentToText("[1, 2]")).toBe("[1, 2]");
  });
});

describe("buildLlmMessages", () => {
  it("wraps history between the system prompt and the new user message", () => {
    const out = buildLlmMessages(
      "be brief",
      [ev({ type: "user_message", content: "hi" })],
      [{ type: "text", text: "next" }],
    );
    expect(out).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
      { role: "user", content: "next" },
    ]);
  });
});
