import { tool, type UIMessage, validateUIMessages } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadUIMessages } from "../src/index.ts";
import { drivers, useDatabase } from "./drivers.ts";
import type { ValidationTools } from "./model-checks.ts";
import { scriptedModel } from "./scripted-model.ts";
import { writeServerTurn } from "./server-turn.ts";

const weather = tool({
  description: "weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, temperature: 21 }),
});

for (const driver of drivers) {
  describe(`events written by server turns (${driver.name})`, () => {
    const open = useDatabase(driver);

    it("a text reply loads as step-start + done text, ids from the contract", async () => {
      const { repo } = await open();
      const model = scriptedModel([{ text: "Hello from the server." }]);
      const sdk = await writeServerTurn({
        repo,
        conversationId: "c",
        userRequestId: "req-1",
        messageId: "msg-1",
        content: "Hi",
        model,
      });
      const { messages } = await loadUIMessages(repo, "c");
      expect(messages[1]).toEqual(sdk);
      expect(messages).toEqual([
        { id: "req-1", role: "user", parts: [{ type: "text", text: "Hi" }] },
        {
          id: "msg-1",
          role: "assistant",
          parts: [{ type: "step-start" }, { type: "text", text: "Hello from the server.", state: "done" }],
        },
      ]);
      await validateUIMessages({ messages });
    });

    it("a tool call and its result load as a tool-<name> output-available part in its own step", async () => {
      const { repo } = await open();
      const model = scriptedModel([
        { toolCalls: [{ id: "call-1", name: "weather", input: { city: "Paris" } }] },
        { text: "It is 21 degrees." },
      ]);
      const sdk = await writeServerTurn({
        repo,
        conversationId: "c",
        userRequestId: "req-1",
        messageId: "msg-1",
        content: "Weather?",
        model,
        tools: { weather },
      });
      const { messages } = await loadUIMessages(repo, "c");
      // The same message the SDK's client code built from the stream of that generation.
      expect(messages[1]).toEqual(sdk);
      expect(messages[1]).toEqual({
        id: "msg-1",
        role: "assistant",
        parts: [
          { type: "step-start" },
          {
            type: "tool-weather",
            toolCallId: "call-1",
            state: "output-available",
            input: { city: "Paris" },
            output: { city: "Paris", temperature: 21 },
          },
          { type: "step-start" },
          { type: "text", text: "It is 21 degrees.", state: "done" },
        ],
      });
      await validateUIMessages({ messages, tools: { weather } as unknown as ValidationTools });
    });

    it("rows without message_id fall back to the final assistant_message's event id", async () => {
      const { repo } = await open();
      await writeServerTurn({
        repo,
        conversationId: "c",
        userRequestId: "req-1",
        content: "Hi",
        model: scriptedModel([{ text: "Yes." }]),
      });
      const reply = await repo.getExistingAssistantResponse("c", "req-1");
      const { messages } = await loadUIMessages(repo, "c");
      expect(messages.map((m) => m.id)).toEqual(["req-1", reply!.id]);
    });

    it("a turn still generating loads with its deltas as a streaming text part", async () => {
      const { repo } = await open();
      const model = scriptedModel([
        { toolCalls: [{ id: "call-1", name: "weather", input: { city: "Oslo" } }] },
        { text: "Cold in Oslo." },
      ]);
      await writeServerTurn({
        repo,
        conversationId: "c",
        userRequestId: "req-1",
        messageId: "msg-1",
        content: "Weather?",
        model,
        tools: { weather },
        stopBeforeFinish: true,
      });
      const { messages } = await loadUIMessages(repo, "c");
      const parts = messages[1]!.parts;
      expect(parts.at(-1)).toEqual({ type: "text", text: "Cold in Oslo.", state: "streaming" });
      expect(parts.map((p) => p.type)).toEqual(["step-start", "tool-weather", "step-start", "text"]);
      await validateUIMessages({ messages });
    });

    it("an interrupted reply keeps its text and is marked in metadata", async () => {
      const { repo } = await open();
      const model = scriptedModel([{ text: "one two three four five six" }]);
      await writeServerTurn({
        repo,
        conversationId: "c",
        userRequestId: "req-1",
        messageId: "msg-1",
        content: "Count",
        model,
        abortAfterChunks: 5,
      });
      const { messages } = await loadUIMessages(repo, "c");
      const reply = messages[1] as UIMessage;
      expect(reply.metadata).toEqual({ interrupted: true });
      expect(reply.parts).toEqual([
        { type: "step-start" },
        { type: "text", text: "one two ", state: "done" },
      ]);
      await validateUIMessages({ messages });
    });
  });
}
