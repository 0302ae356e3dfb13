import {
  convertToModelMessages,
  readUIMessageStream,
  streamText,
  type UIMessage,
  type UIMessageChunk,
} from "ai";
import { describe, expect, it } from "vitest";
import { loadUIMessages, streamChatTurn, TurnClaims } from "../src/index.ts";
import { drivers, useDatabase } from "./drivers.ts";
import { scriptedModel } from "./scripted-model.ts";

/**
 * Issue 15, defect 3: a client of a generator that loses its turn (its process froze past the
 * stale period and another took over) ends with exactly the stored reply, because no chunk
 * reaches it before the write carrying it was accepted under the claim.
 */
function textOf(message: UIMessage | undefined): string {
  return (message?.parts ?? []).map((p) => (p.type === "text" ? p.text : "")).join("");
}

for (const driver of drivers) {
  describe(`streamChatTurn sends only stored text (${driver.name})`, () => {
    const open = useDatabase(driver);

    it("the client of a generator taken over ends with exactly the reply the new holder stored", async () => {
      const { repo } = await open();
      const settings = { staleMs: 300, heartbeatMs: 50 };
      const first = new TurnClaims(repo, settings);
      const second = new TurnClaims(repo, settings);
      const question: UIMessage = { id: "u-1", role: "user", parts: [{ type: "text", text: "Go" }] };
      const words = Array.from({ length: 80 }, (_, i) => `w${i}`).join(" ");
      const model = scriptedModel([{ text: words, delayMs: 15 }]);
      const turn = await streamChatTurn({
        repo,
        conversationId: "c",
        message: question,
        claims: first,
        generate: async ({ messages }) =>
          streamText({ model, messages: await convertToModelMessages(messages) }),
      });
      const chunks: UIMessageChunk[] = [];
      const reader = turn.stream.getReader();
      const reading = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          chunks.push(value);
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 150));
      // The first process stops heartbeating while its generation goes on, as a frozen one's would.
      first.close();
      const retry = await streamChatTurn({
        repo,
        conversationId: "c",
        message: question,
        claims: second,
        generate: () => {
          throw new Error("the retry must not generate");
        },
      });
      for await (const _ of retry.stream);
      await reading;
      await turn.stored.catch(() => undefined);
      let built: UIMessage | undefined;
      const replay = new ReadableStream<UIMessageChunk>({
        start(c) {
          for (const chunk of chunks) c.enqueue(chunk);
          c.close();
        },
      });
      for await (const state of readUIMessageStream({ stream: replay, onError: () => {} })) built = state;
      const stored = (await loadUIMessages(repo, "c")).messages.at(-1);
      expect(textOf(stored).length).toBeGreaterThan(0);
      expect(textOf(stored).length).toBeLessThan(words.length);
      expect(textOf(built)).toBe(textOf(stored));
      second.close();
    });
  });
}
