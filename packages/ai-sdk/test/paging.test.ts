import { assistantReplyKey, type ChatRepository, toolCallKey, toolResultKey } from "@chatlog/core";
import { tool, type UIMessage, validateUIMessages } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadUIMessages, saveUIMessage } from "../src/index.ts";
import { drivers, useDatabase } from "./drivers.ts";
import type { ValidationTools } from "./model-checks.ts";
import { scriptedModel } from "./scripted-model.ts";
import { writeServerTurn } from "./server-turn.ts";

function exchange(i: number): UIMessage[] {
  return [
    { id: `u-${i}`, role: "user", parts: [{ type: "text", text: `question ${i}` }] },
    {
      id: `a-${i}`,
      role: "assistant",
      parts: [
        { type: "step-start" },
        {
          type: "tool-lookup",
          toolCallId: `call-${i}`,
          state: "output-available",
          input: { i },
          output: { found: i },
        },
        { type: "step-start" },
        { type: "text", text: `answer ${i}`, state: "done" },
      ],
    },
  ];
}

/** Every page from the newest back, checking the page sizes and that cursors move strictly back. */
async function allPages(repo: ChatRepository, limit: number): Promise<UIMessage[][]> {
  const pages: UIMessage[][] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof loadUIMessages>> = await loadUIMessages(repo, "c", {
      limit,
      cursor,
    });
    if (cursor !== null && page.nextCursor !== null)
      expect(Number(page.nextCursor)).toBeLessThan(Number(cursor));
    pages.push(page.messages);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 100);
  return pages;
}

const lookup = tool({
  inputSchema: z.object({ q: z.string() }),
  execute: async ({ q }) => ({ q, hits: 1 }),
});

for (const driver of drivers) {
  describe(`loadUIMessages paging (${driver.name})`, () => {
    const open = useDatabase(driver);

    it("pages from the newest back; the pages together are the whole conversation", async () => {
      const { repo } = await open();
      const all = Array.from({ length: 12 }, (_, i) => exchange(i)).flat();
      for (const message of all) await saveUIMessage(repo, "c", message);
      for (const limit of [1, 2, 3, 5, 7, 24, 100]) {
        const pages = await allPages(repo, limit);
        for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit + 1);
        expect(pages[0]!.length).toBe(Math.min(limit, all.length));
        expect(pages.reverse().flat()).toEqual(all);
      }
    });

    it("server turns: a reply is never split from its tool results or its user message", async () => {
      const { repo } = await open();
      for (let i = 0; i < 6; i++) {
        const model = scriptedModel([
          { toolCalls: [{ id: `call-${i}`, name: "lookup", input: { q: `q${i}` } }] },
          { text: `found ${i}` },
        ]);
        await writeServerTurn({
          repo,
          conversationId: "c",
          userRequestId: `req-${i}`,
          messageId: `msg-${i}`,
          content: `look up ${i}`,
          model,
          tools: { lookup },
        });
      }
      const whole = (await loadUIMessages(repo, "c")).messages;
      expect(whole).toHaveLength(12);
      for (const limit of [1, 2, 3, 4]) {
        const pages = await allPages(repo, limit);
        expect(pages.reverse().flat()).toEqual(whole);
      }
      for (const message of whole) {
        for (const part of message.parts) {
          if (part.type === "tool-lookup") expect(part.state).toBe("output-available");
        }
      }
      await validateUIMessages({ messages: whole, tools: { lookup } as unknown as ValidationTools });
    });

    it("a regenerated reply replaces the older attempt in every page", async () => {
      const { repo } = await open();
      await writeServerTurn({
        repo,
        conversationId: "c",
        userRequestId: "req-1",
        messageId: "msg-1",
        content: "first",
        model: scriptedModel([{ text: "old answer" }]),
      });
      // Attempt 2, as the turn service stores a regenerated reply (contract point 4).
      const attempt = { user_request_id: "req-1", message_id: "msg-2", attempt: 2 };
      await repo.addEvent({
        conversationId: "c",
        type: "tool_call",
        role: "assistant",
        toolCalls: [{ id: "call-9", name: "lookup", arguments: { q: "x" } }],
        extra: { ...attempt, request_id: toolCallKey("req-1", "call-9", 2) },
      });
      await repo.addEvent({
        conversationId: "c",
        type: "tool_result",
        role: "tool",
        content: '{"hits":2}',
        extra: { ...attempt, tool_call_id: "call-9", request_id: toolResultKey("req-1", "call-9", 2) },
      });
      await repo.addEvent({
        conversationId: "c",
        type: "assistant_message",
        role: "assistant",
        content: "new answer",
        extra: { ...attempt, request_id: assistantReplyKey("req-1", 2) },
      });
      const expected = ["req-1", "msg-2"];
      expect((await loadUIMessages(repo, "c")).messages.map((m) => m.id)).toEqual(expected);
      expect(
        (await allPages(repo, 1))
          .reverse()
          .flat()
          .map((m) => m.id),
      ).toEqual(expected);
      const [, reply] = (await loadUIMessages(repo, "c")).messages;
      expect(reply!.parts.at(-1)).toEqual({ type: "text", text: "new answer", state: "done" });
      // The older attempt is still in the log.
      expect((await repo.getEvents("c")).some((e) => e.content === "old answer")).toBe(true);
    });

    it("rejects a malformed cursor or limit", async () => {
      const { repo } = await open();
      for (const cursor of ["abc", "-1", "0", "1.5", "99999999999999999999"]) {
        await expect(loadUIMessages(repo, "c", { limit: 2, cursor })).rejects.toMatchObject({
          code: "INVALID_ARGUMENT",
        });
      }
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        await expect(loadUIMessages(repo, "c", { limit })).rejects.toMatchObject({
          code: "INVALID_ARGUMENT",
        });
      }
      await expect(loadUIMessages(repo, "")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(await loadUIMessages(repo, "empty", { limit: 3 })).toEqual({ messages: [], nextCursor: null });
    });
  });
}
