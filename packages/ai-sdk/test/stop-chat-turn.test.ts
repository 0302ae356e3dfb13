import { ChatlogError } from "@chatlog/core";
import { convertToModelMessages, readUIMessageStream, streamText, type UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { loadUIMessages, stopChatTurn, streamChatTurn, TurnClaims } from "../src/index.ts";
import { drivers, useDatabase } from "./drivers.ts";
import { scriptedModel } from "./scripted-model.ts";

const question: UIMessage = {
  id: "u-1",
  role: "user",
  parts: [{ type: "text", text: "Tell me a long story" }],
};
const story = Array.from({ length: 400 }, (_, i) => `w${i}`).join(" ");

const textOf = (m: UIMessage | undefined) =>
  m?.parts.map((p) => (p.type === "text" ? p.text : "")).join("") ?? "";

for (const driver of drivers) {
  describe(`stopChatTurn (${driver.name})`, () => {
    const open = useDatabase(driver);

    it("a stop recorded through another connection ends the generation: the reply is what the client got, marked stopped", async () => {
      const { repo, file } = await open();
      const model = scriptedModel([{ text: story, delayMs: 20 }]);
      let modelAborted = false;
      const turn = await streamChatTurn({
        repo,
        conversationId: "c",
        message: question,
        generate: async ({ messages, abortSignal }) => {
          abortSignal?.addEventListener("abort", () => {
            modelAborted = true;
          });
          return streamText({
            model,
            messages: await convertToModelMessages(messages),
            ...(abortSignal ? { abortSignal } : {}),
          });
        },
      });
      // The client reads while another process (a second connection, its own claims) stops it.
      let shown: UIMessage | undefined;
      let words = 0;
      const reading = (async () => {
        for await (const message of readUIMessageStream({ stream: turn.stream })) {
          shown = message;
          words = textOf(message).split(" ").length;
        }
      })();
      while (words < 5) await new Promise((resolve) => setTimeout(resolve, 20));
      if (file === null) throw new Error("needs a file database");
      const other = await driver.reopen(file);
      const otherClaims = new TurnClaims(other.repo);
      try {
        const stopped = await stopChatTurn({ repo: other.repo, conversationId: "c", claims: otherClaims });
        expect(stopped).toEqual({ conversationId: "c", userRequestId: "u-1", attempt: 1 });
        const stored = await turn.stored;
        await reading;

        expect(modelAborted).toBe(true);
        expect(stored?.stopped).toBe(true);
        expect(stored?.interrupted).toBe(false);
        expect(stored?.event.extra.stopped).toBe(true);
        // Stopped long before the end, and the client ends with exactly the stored reply.
        const { messages } = await loadUIMessages(repo, "c");
        expect(messages.map((m) => m.id)).toEqual(["u-1", turn.messageId]);
        const reply = textOf(messages[1]);
        expect(reply.length).toBeGreaterThan(0);
        expect(reply.length).toBeLessThan(story.length);
        expect(textOf(shown)).toBe(reply);
        expect(await repo.listTurnClaims("c")).toEqual([]);
        // Nothing is in flight any more: a second stop says so.
        await expect(stopChatTurn({ repo, conversationId: "c" })).rejects.toMatchObject({
          code: "NO_TURN_IN_FLIGHT",
        });
      } finally {
        otherClaims.close();
        await other.dispose();
      }
    });

    it("a repository scoped to another user cannot stop a turn: refused, nothing recorded, the reply completes", async () => {
      const { repo } = await open();
      const alice = repo.forOwner("alice");
      const model = scriptedModel([{ text: "one two three four five six seven eight", delayMs: 30 }]);
      const turn = await streamChatTurn({
        repo: alice,
        conversationId: "c",
        message: question,
        generate: async ({ messages, abortSignal }) =>
          streamText({
            model,
            messages: await convertToModelMessages(messages),
            ...(abortSignal ? { abortSignal } : {}),
          }),
      });
      const error = await stopChatTurn({ repo: repo.forOwner("mallory"), conversationId: "c" }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ChatlogError);
      expect((error as ChatlogError).code).toMatch(/^(NOT_OWNER|NO_TURN_IN_FLIGHT)$/);
      const stored = await turn.stored;
      expect(stored?.stopped).toBe(false);
      expect(textOf(stored?.message)).toBe("one two three four five six seven eight");
      expect((await repo.getEvents("c")).filter((e) => e.extra.kind === "turn_stop")).toEqual([]);
    });

    it("hostile ids are INVALID_ARGUMENT and write nothing", async () => {
      const { repo } = await open();
      for (const [conversationId, requestId] of [
        ["", undefined],
        ["c\u0000x", undefined],
        ["x".repeat(100_000), undefined],
        ["c", ""],
        ["c", "r\u0000"],
        ["c", 42 as unknown as string],
      ] as const) {
        await expect(
          stopChatTurn({ repo, conversationId, ...(requestId === undefined ? {} : { requestId }) }),
        ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      }
      expect(await repo.listConversations()).toMatchObject({ conversations: [] });
    });

    it("a stop with nothing generating is NO_TURN_IN_FLIGHT and writes nothing", async () => {
      const { repo } = await open();
      const error = await stopChatTurn({ repo, conversationId: "c", requestId: "u-1" }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ChatlogError);
      expect(error).toMatchObject({ code: "NO_TURN_IN_FLIGHT" });
      expect(await repo.getEvents("c")).toEqual([]);
    });
  });
}
