import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, expectValidToolPairing, toolCall, toolResult, user, withDb } from "./support.ts";

export function llmConversationCases(h: DriverHarness): void {
  describe("buildLlmConversation", () => {
    it("is [system, ...history, user] in OpenAI chat format", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "hi"));
        await add(repo, assistant("c", "hello"));
        const messages = await repo.buildLlmConversation("c", "how are you?", "be brief");
        expect(messages).toEqual([
          { role: "system", content: "be brief" },
          { role: "user", content: "hi" },
          { role: "assistant", content: "hello" },
          { role: "user", content: "how are you?" },
        ]);
      }));

    it("for an unknown conversation is just [system, user]", () =>
      withDb(h, async ({ repo }) => {
        expect(await repo.buildLlmConversation("none", "q", "sys")).toEqual([
          { role: "system", content: "sys" },
          { role: "user", content: "q" },
        ]);
      }));

    it("sends the current user message once, last, when it was already stored under requestId", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "earlier"));
        await add(repo, assistant("c", "ok"));
        expect(await repo.handleUserMessagePersistence("c", "now", "r-now")).toBe(true);
        const messages = await repo.buildLlmConversation("c", "now", "sys", { requestId: "r-now" });
        expect(messages).toEqual([
          { role: "system", content: "sys" },
          { role: "user", content: "earlier" },
          { role: "assistant", content: "ok" },
          { role: "user", content: "now" },
        ]);
      }));

    it("emits tool calls with their results (assistant tool_calls followed by tool messages)", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "weather in Oslo and Rome?"));
        await add(repo, {
          conversationId: "c",
          type: "tool_call",
          role: "assistant",
          content: null,
          toolCalls: [
            { id: "call-oslo", name: "weather", arguments: { city: "Oslo" } },
            { id: "call-rome", name: "weather", arguments: '{"city":"Rome"}' },
          ],
        });
        await add(repo, toolResult("c", "call-oslo", "-3C"));
        await add(repo, toolResult("c", "call-rome", "18C"));
        await add(repo, assistant("c", "Oslo -3C, Rome 18C"));
        const messages = await repo.buildLlmConversation("c", "thanks", "sys");
        expect(messages).toEqual([
          { role: "system", content: "sys" },
          { role: "user", content: "weather in Oslo and Rome?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call-oslo",
                type: "function",
                function: { name: "weather", arguments: '{"city":"Oslo"}' },
              },
              {
                id: "call-rome",
                type: "function",
                function: { name: "weather", arguments: '{"city":"Rome"}' },
              },
            ],
          },
          { role: "tool", tool_call_id: "call-oslo", content: "-3C" },
          { role: "tool", tool_call_id: "call-rome", content: "18C" },
          { role: "assistant", content: "Oslo -3C, Rome 18C" },
          { role: "user", content: "thanks" },
        ]);
        expectValidToolPairing(messages);
      }));

    it("accepts tool calls carried by an assistant_message", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "q"));
        await add(repo, {
          ...assistant("c", "let me check"),
          toolCalls: [{ id: "t1", name: "lookup", arguments: {} }],
        });
        await add(repo, toolResult("c", "t1", "found"));
        const messages = await repo.buildLlmConversation("c", "next", "sys");
        expect(messages.slice(2, 4)).toEqual([
          {
            role: "assistant",
            content: "let me check",
            tool_calls: [{ id: "t1", type: "function", function: { name: "lookup", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "t1", content: "found" },
        ]);
        expectValidToolPairing(messages);
      }));

    it("leaves out a call whose result was never stored (an interrupted tool run)", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("c", "q"));
        await add(repo, toolCall("c", "done", "interrupted"));
        await add(repo, toolResult("c", "done"));
        const messages = await repo.buildLlmConversation("c", "again", "sys");
        expectValidToolPairing(messages);
        const calls = messages.flatMap((m) => (m.role === "assistant" ? (m.tool_calls ?? []) : []));
        expect(calls.map((c) => c.id)).toEqual(["done"]);
      }));

    it("default window is the 50 most recent LLM-visible events", () =>
      withDb(h, async ({ repo }) => {
        for (let i = 1; i <= 60; i++) await add(repo, user("c", `m${i}`));
        const messages = await repo.buildLlmConversation("c", "last", "sys");
        expect(messages).toHaveLength(52);
        expect(messages[1]).toEqual({ role: "user", content: "m11" });
        expect(messages[50]).toEqual({ role: "user", content: "m60" });
        const limited = await repo.buildLlmConversation("c", "last", "sys", { limit: 5 });
        expect(limited.map((m) => m.content)).toEqual(["sys", "m56", "m57", "m58", "m59", "m60", "last"]);
      }));
  });
}
