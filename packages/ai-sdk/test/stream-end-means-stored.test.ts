import type { ChatRepository } from "@chatlog/core";
import { convertToModelMessages, stepCountIs, streamText, tool, type UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadUIMessages, streamChatTurn } from "../src/index.ts";
import { approveAll, clientMessage, user } from "./client-messages.ts";
import { drivers, useDatabase } from "./drivers.ts";
import { type Step, scriptedModel } from "./scripted-model.ts";

const tools = {
  deleteFile: tool({
    inputSchema: z.object({ path: z.string() }),
    needsApproval: true,
    execute: async ({ path }) => ({ deleted: path }),
  }),
};

function turn(repo: ChatRepository, steps: Step[], message: UIMessage) {
  const model = scriptedModel(steps);
  return streamChatTurn({
    repo,
    conversationId: "c",
    message,
    tools,
    generate: async ({ messages }) =>
      streamText({
        model,
        tools,
        messages: await convertToModelMessages(messages),
        stopWhen: stepCountIs(5),
      }),
  });
}

/**
 * A client that has read a reply's stream to its end acts on it at once (useChat sends the
 * approval the moment the user clicks; an app reloads the conversation): the reply must be stored
 * by then, on every driver, never "still streaming" for a moment after the stream ended.
 */
for (const driver of drivers) {
  describe(`the end of a streamChatTurn stream (${driver.name})`, () => {
    const open = useDatabase(driver);

    it("comes only once the reply is stored: a read right after it finds the whole message, every time", async () => {
      const { repo } = await open();
      for (let i = 0; i < 10; i++) {
        const question = user(`u-${i}`, `Say something (${i})`);
        const answer = await turn(repo, [{ text: `Answer number ${i}, in a few words.` }], question);
        const shown = await clientMessage(answer.stream);
        // No wait of any kind between the end of the stream and the read.
        const { messages } = await loadUIMessages(repo, "c");
        expect(messages.at(-1)).toEqual(shown);
      }
    });

    it("lets an approval sent right after the stream ends continue the stored message", async () => {
      const { repo } = await open();
      const question = user("u-1", "Delete /tmp/x");
      const first = await turn(
        repo,
        [{ toolCalls: [{ id: "call-1", name: "deleteFile", input: { path: "/tmp/x" } }] }],
        question,
      );
      const asked = await clientMessage(first.stream);
      const approved = approveAll(asked, "tool-deleteFile");
      const next = await turn(repo, [{ text: "Deleted." }], approved);
      const final = await clientMessage(next.stream, structuredClone(approved));
      expect(final.parts.find((p) => p.type === "tool-deleteFile")).toMatchObject({
        state: "output-available",
      });
      const { messages } = await loadUIMessages(repo, "c");
      expect(messages).toEqual([question, final]);
    });
  });
}
