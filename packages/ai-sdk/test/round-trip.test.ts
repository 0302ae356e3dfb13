import type { ChatRepository } from "@chatlog/core";
import { convertToModelMessages, type UIMessage, validateUIMessages } from "ai";
import { describe, expect, it } from "vitest";
import { loadUIMessages, saveUIMessage } from "../src/index.ts";
import { drivers, useDatabase } from "./drivers.ts";
import { assistantParts, userParts } from "./fixtures.ts";
import { expectPairedToolCalls } from "./model-checks.ts";

async function roundTrip(repo: ChatRepository, messages: UIMessage[]): Promise<UIMessage[]> {
  for (const message of messages) expect(await saveUIMessage(repo, "c1", message)).toEqual({ added: true });
  const { messages: loaded, nextCursor } = await loadUIMessages(repo, "c1");
  expect(nextCursor).toBeNull();
  return loaded;
}

const question: UIMessage = { id: "u-1", role: "user", parts: [{ type: "text", text: "Hi" }] };

for (const driver of drivers) {
  describe(`round trip (${driver.name})`, () => {
    const open = useDatabase(driver);

    for (const [name, parts] of Object.entries(assistantParts)) {
      it(`assistant ${name}`, async () => {
        const { repo } = await open();
        const answer: UIMessage = { id: "a-1", role: "assistant", parts, metadata: { model: "m", n: 1 } };
        const loaded = await roundTrip(repo, [question, answer]);
        expect(loaded).toEqual([question, answer]);
        await expect(validateUIMessages({ messages: loaded })).resolves.toBeDefined();
        const model = await convertToModelMessages(loaded);
        const toolParts = parts.filter(
          (part) => part.type.startsWith("tool-") || part.type === "dynamic-tool",
        );
        const complete = toolParts.every(
          (part) => "state" in part && /^output-/.test(part.state) && !("preliminary" in part),
        );
        expectPairedToolCalls(model, { complete });
        // A second save of the same message adds nothing.
        expect(await saveUIMessage(repo, "c1", answer)).toEqual({ added: false });
        expect((await loadUIMessages(repo, "c1")).messages).toEqual([question, answer]);
      });
    }

    for (const [name, parts] of Object.entries(userParts)) {
      it(`user ${name}`, async () => {
        const { repo } = await open();
        const message: UIMessage = { id: "u-9", role: "user", parts, metadata: { sentAt: 5 } };
        const loaded = await roundTrip(repo, [message]);
        expect(loaded).toEqual([message]);
        await expect(validateUIMessages({ messages: loaded })).resolves.toBeDefined();
        const stored = await repo.getEventByRequestId("c1", "u-9");
        expect(stored?.type).toBe("user_message");
      });
    }

    it("system message", async () => {
      const { repo } = await open();
      const system: UIMessage = { id: "s-1", role: "system", parts: [{ type: "text", text: "Be brief." }] };
      expect(await roundTrip(repo, [system, question])).toEqual([system, question]);
      const history = await repo.getConversationHistory("c1");
      expect(history.map((e) => e.type)).toEqual(["system_update", "user_message"]);
    });

    it("model-facing history pairs the tool calls of saved messages with their results", async () => {
      const { repo } = await open();
      const answer: UIMessage = {
        id: "a-1",
        role: "assistant",
        parts: assistantParts["tool output-available"]!,
      };
      await roundTrip(repo, [question, answer]);
      const llm = await repo.buildLlmConversation("c1", "next", "system");
      expect(llm).toEqual([
        { role: "system", content: "system" },
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: "Let me check.\nIt is 21 C in Paris.",
          tool_calls: [
            { id: "call-1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call-1", content: '{"temperature":21,"unit":"C"}' },
        { role: "user", content: "next" },
      ]);
    });
  });
}
