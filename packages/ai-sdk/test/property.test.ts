import { convertToModelMessages, validateUIMessages } from "ai";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadUIMessages, saveUIMessage } from "../src/index.ts";
import { conversation } from "./arbitraries.ts";
import { drivers, useDatabase } from "./drivers.ts";
import { expectPairedToolCalls } from "./model-checks.ts";

for (const driver of drivers) {
  describe(`property: any UIMessages round-trip (${driver.name})`, () => {
    const open = useDatabase(driver);

    it("save then load gives the same messages, valid, with paired tool calls, on every page size", async () => {
      const { repo } = await open();
      let run = 0;
      await fc.assert(
        fc.asyncProperty(conversation, fc.integer({ min: 1, max: 4 }), async (messages, limit) => {
          const chatId = `chat-${run++}`;
          for (const message of messages)
            expect(await saveUIMessage(repo, chatId, message)).toEqual({ added: true });
          for (const message of messages)
            expect(await saveUIMessage(repo, chatId, message)).toEqual({ added: false });
          const loaded = (await loadUIMessages(repo, chatId)).messages;
          expect(loaded).toEqual(messages);
          await validateUIMessages({ messages: loaded });
          expectPairedToolCalls(await convertToModelMessages(loaded, { ignoreIncompleteToolCalls: true }));
          const pages = [];
          let cursor: string | null = null;
          do {
            const page: Awaited<ReturnType<typeof loadUIMessages>> = await loadUIMessages(repo, chatId, {
              limit,
              cursor,
            });
            pages.unshift(page.messages);
            cursor = page.nextCursor;
          } while (cursor !== null);
          expect(pages.flat()).toEqual(messages);
        }),
        { numRuns: 40 },
      );
    });
  });
}
