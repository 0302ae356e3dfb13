import { TITLE_MAX_CHARS } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { add, assistant, at, rejectsWith, user, withDb } from "./support.ts";

export function conversationTitleCases(h: DriverHarness): void {
  describe("setConversationTitle", () => {
    it("a title a person sets wins over the first message's, is stored, and null brings that one back", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, { ...user("c", "Help me   plan a trip"), createdAt: at(0) });
        await add(repo, { ...assistant("c", "Sure"), createdAt: at(1) });
        await add(repo, { ...user("other", "Untouched"), createdAt: at(2) });
        const titles = async () =>
          Object.fromEntries(
            (await repo.listConversations()).conversations.map((c) => [c.conversationId, c.title]),
          );
        expect(await titles()).toEqual({ c: "Help me plan a trip", other: "Untouched" });

        // Stored as given: inner spaces kept, nothing trimmed or collapsed.
        await repo.setConversationTitle("c", "  Weekend  in Lisbon ");
        expect(await titles()).toEqual({ c: "  Weekend  in Lisbon ", other: "Untouched" });
        const [row] = await raw.all("SELECT title FROM chat_conversations WHERE conversation_id = 'c'");
        expect(row?.title).toBe("  Weekend  in Lisbon ");

        // A later message does not take the title back, nor change the order rules.
        await add(repo, { ...user("c", "and a hotel"), createdAt: at(3) });
        const page = await repo.listConversations();
        expect(page.conversations.map((c) => [c.conversationId, c.title])).toEqual([
          ["c", "  Weekend  in Lisbon "],
          ["other", "Untouched"],
        ]);

        await repo.setConversationTitle("c", null);
        expect(await titles()).toEqual({ c: "Help me plan a trip", other: "Untouched" });
        // The longest title is accepted whole.
        const longest = "x".repeat(TITLE_MAX_CHARS);
        await repo.setConversationTitle("c", longest);
        expect((await titles()).c).toBe(longest);
      }));

    it("an unknown or deleted conversation is NOT_FOUND; a reused id starts without the old title", () =>
      withDb(h, async ({ repo, raw }) => {
        await rejectsWith(() => repo.setConversationTitle("never", "Name"), "NOT_FOUND");
        await add(repo, user("c", "first"));
        await repo.setConversationTitle("c", "Named");
        await repo.deleteConversation("c");
        await rejectsWith(() => repo.setConversationTitle("c", "Again"), "NOT_FOUND");
        await add(repo, user("c", "new start"));
        expect((await repo.listConversations()).conversations[0]?.title).toBe("new start");
        const [row] = await raw.all(
          "SELECT COUNT(*) AS n FROM chat_conversations WHERE conversation_id = 'never'",
        );
        expect(Number(row?.n)).toBe(0);
      }));

    it("a conversation wiped by the clear (its summary row kept) comes back without its old title", () =>
      withDb(h, async ({ repo }) => {
        await add(repo, user("a", "first"));
        await repo.setConversationTitle("a", "Named");
        expect(await repo.handleClearSession()).toBe(true);
        await rejectsWith(() => repo.setConversationTitle("a", "Again"), "NOT_FOUND");
        await add(repo, user("a", "back again"));
        expect((await repo.listConversations()).conversations.map((c) => c.title)).toEqual(["back again"]);
      }));

    it("refuses a bad title or id and writes nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo, user("c", "first"));
        await repo.setConversationTitle("c", "Kept");
        const bad: unknown[] = [
          "",
          "   ",
          "two\nlines",
          "tab\there",
          "x".repeat(TITLE_MAX_CHARS + 1),
          "lone \ud800 surrogate",
          42,
          undefined,
          { title: "x" },
        ];
        for (const title of bad) {
          await rejectsWith(() => repo.setConversationTitle("c", title as string), "INVALID_ARGUMENT");
        }
        await rejectsWith(() => repo.setConversationTitle("", "Name"), "INVALID_ARGUMENT");
        const [row] = await raw.all("SELECT title FROM chat_conversations WHERE conversation_id = 'c'");
        expect(row?.title).toBe("Kept");
      }));
  });
}
