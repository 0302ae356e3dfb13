import { convertToModelMessages, streamText, type UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { saveUIMessage, streamChatTurn } from "../src/index.ts";
import { drivers, useDatabase } from "./drivers.ts";
import { scriptedModel } from "./scripted-model.ts";

/** Issue 15, defects 4 and 5: a message id belongs to its first writer's kind; an id is one message. */
function user(id: string, text: string): UIMessage {
  return { id, role: "user", parts: [{ type: "text", text }] };
}

for (const driver of drivers) {
  describe(`message ids (${driver.name})`, () => {
    const open = useDatabase(driver);

    async function answered(repo: Parameters<typeof saveUIMessage>[0], text: string) {
      const model = scriptedModel([{ text }]);
      const turn = await streamChatTurn({
        repo,
        conversationId: "c",
        message: user("u-1", "Hi"),
        generate: async ({ messages }) =>
          streamText({ model, messages: await convertToModelMessages(messages) }),
      });
      for await (const _ of turn.stream);
      await turn.stored;
      return turn.messageId;
    }

    it("saveUIMessage cannot write over a turn's reply: REQUEST_ID_CONFLICT, nothing written", async () => {
      const { repo } = await open();
      const replyId = await answered(repo, "Hello there.");
      const before = await repo.getEvents("c");
      const forged: UIMessage = {
        id: replyId,
        role: "assistant",
        parts: [{ type: "text", text: "replaced" }],
      };
      await expect(saveUIMessage(repo, "c", forged)).rejects.toMatchObject({ code: "REQUEST_ID_CONFLICT" });
      await expect(saveUIMessage(repo, "c", user(replyId, "me"))).rejects.toMatchObject({
        code: "REQUEST_ID_CONFLICT",
      });
      expect(await repo.getEvents("c")).toEqual(before);
    });

    it("an app's own ids: a user message may not take a saved assistant message's id, nor the reverse", async () => {
      const { repo } = await open();
      await saveUIMessage(repo, "c", user("u-1", "Hi"));
      await saveUIMessage(repo, "c", {
        id: "a-1",
        role: "assistant",
        parts: [{ type: "text", text: "Hello" }],
      });
      const before = await repo.getEvents("c");
      await expect(saveUIMessage(repo, "c", user("a-1", "x"))).rejects.toMatchObject({
        code: "REQUEST_ID_CONFLICT",
      });
      await expect(
        saveUIMessage(repo, "c", { id: "u-1", role: "assistant", parts: [{ type: "text", text: "x" }] }),
      ).rejects.toMatchObject({ code: "REQUEST_ID_CONFLICT" });
      expect(await repo.getEvents("c")).toEqual(before);
    });

    it("streamChatTurn: the same user message id with other content is REQUEST_ID_CONFLICT, not a replay", async () => {
      const { repo } = await open();
      await answered(repo, "Hello there.");
      const before = await repo.getEvents("c");
      const model = scriptedModel([{ text: "never" }]);
      await expect(
        streamChatTurn({
          repo,
          conversationId: "c",
          message: user("u-1", "A different question"),
          generate: async ({ messages }) =>
            streamText({ model, messages: await convertToModelMessages(messages) }),
        }),
      ).rejects.toMatchObject({ code: "REQUEST_ID_CONFLICT" });
      expect(model.doStreamCalls).toHaveLength(0);
      expect(await repo.getEvents("c")).toEqual(before);
      // The same message again is still a retry.
      await expect(saveUIMessage(repo, "c", user("u-1", "Hi"))).resolves.toEqual({ added: false });
    });
  });
}
