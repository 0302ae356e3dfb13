import type { BrowserContext, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable } from "./helpers/chromium.ts";
import { serverAndBrowser } from "./helpers/harness.ts";
import {
  conversationIdOf,
  recordReplyGrowth,
  replyLengths,
  send,
  shownMessages,
  waitForIdle,
} from "./helpers/page.ts";
import { storedEvents, storedMessages } from "./helpers/stored.ts";

describe.runIf(chromiumAvailable())("chatting in the page", () => {
  // Paced and padded replies (about 30 words at 15 ms): long enough to watch them stream.
  const h = serverAndBrowser({ CHATLOG_OFFLINE_DELAY_MS: "15", CHATLOG_OFFLINE_REPLY_WORDS: "30" });
  let context: BrowserContext;
  let page: Page;
  let conversationId: string;

  beforeAll(async () => {
    context = await h.chrome.browser.newContext();
    page = await context.newPage();
  });

  it("sends with Enter, streams the reply and shows the tool call with its result", async () => {
    await page.goto(h.server.url);
    await recordReplyGrowth(page);
    await send(page, "What time is it?");

    // The first message gives the new conversation its address.
    await page.waitForURL(/\/c\/[^/]+$/);
    conversationId = conversationIdOf(page);
    const reply = page.locator(".message-assistant").last();
    await reply.getByText("The current UTC time is").waitFor();
    await waitForIdle(page);

    // Streamed: the reply's text was seen at several lengths on its way to the whole.
    expect((await replyLengths(page)).length).toBeGreaterThan(3);

    // The box keeps the focus for the next message (checked before any click moves it).
    await expect(
      page
        .getByRole("textbox", { name: "Message", exact: true })
        .evaluate((el) => el === document.activeElement),
    ).resolves.toBe(true);

    // The tool call is shown as a tool call, with its input and result, not as reply text.
    const tool = reply.locator(".tool-call");
    await expect(tool.locator(".tool-name").textContent()).resolves.toBe("get_time");
    await expect(tool.locator(".tool-state").textContent()).resolves.toBe("done");
    await tool.locator("summary").click();
    const result = JSON.parse((await tool.locator(".tool-result").textContent()) ?? "null") as {
      utc: string;
    };
    expect(Number.isNaN(Date.parse(result.utc))).toBe(false);
    await expect(reply.locator(".message-text").textContent()).resolves.toContain(result.utc);

    // The box is empty and keeps the focus for the next message; the sidebar has the chat.
    const box = page.getByRole("textbox", { name: "Message", exact: true });
    await expect(box.inputValue()).resolves.toBe("");
    // Named by its first message, pointing at the conversation.
    const link = page.getByRole("link", { name: /What time is it\?/ });
    await expect(link.getAttribute("href")).resolves.toBe(`/c/${conversationId}`);

    // What the page shows is what was stored.
    const stored = await storedMessages(h.server, conversationId);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
    const ids = await page
      .locator(".messages article")
      .evaluateAll((a) => a.map((e) => e.getAttribute("data-message-id")));
    expect(ids).toEqual(stored.map((m) => m.id));
  });

  it("shows the same conversation after a reload", async () => {
    const before = await shownMessages(page);
    await page.reload();
    await page.locator(".message-assistant .tool-call").waitFor();
    await waitForIdle(page);
    expect(await shownMessages(page)).toEqual(before);
  });

  it("regenerates the last reply: one reply shown, the new attempt stored", async () => {
    const firstReplyId = await page.locator(".message-assistant").last().getAttribute("data-message-id");
    await page.getByRole("button", { name: "Regenerate" }).click();
    await page
      .locator(".message-assistant .message-text")
      .last()
      .getByText("The current UTC time is")
      .waitFor();
    await waitForIdle(page);

    const assistants = page.locator(".message-assistant");
    await expect(assistants.count()).resolves.toBe(1);
    const newReplyId = await assistants.last().getAttribute("data-message-id");
    expect(newReplyId).not.toBe(firstReplyId);

    // The log keeps both attempts; only the second is in the messages.
    const finals = (await storedEvents(h.server, conversationId)).filter(
      (e) => e.type === "assistant_message",
    );
    expect(finals.map((e) => e.extra?.attempt ?? 1)).toEqual([1, 2]);
    const stored = await storedMessages(h.server, conversationId);
    expect(stored.map((m) => m.id)).toEqual([stored[0]!.id, newReplyId]);

    await page.reload();
    await page.locator(".message-assistant").first().waitFor();
    await expect(page.locator(".message-assistant").count()).resolves.toBe(1);
    await expect(page.locator(".message-assistant").getAttribute("data-message-id")).resolves.toBe(
      newReplyId,
    );
  });

  it("keeps two tabs on one conversation in step", async () => {
    const other = await context.newPage();
    await other.goto(page.url());
    await other.locator(".message-assistant").first().waitFor();
    await waitForIdle(other);

    await send(page, "Tell me about the log");
    await page.locator(".message-assistant").nth(1).getByText("You said: Tell me about the log").waitFor();
    await waitForIdle(page);

    // The other tab follows, and both end with the stored messages.
    await other.locator(".message-assistant").nth(1).getByText("You said: Tell me about the log").waitFor();
    await waitForIdle(other);
    const expected = await shownMessages(page);
    await expect.poll(() => shownMessages(other), { timeout: 10_000 }).toEqual(expected);
    const stored = await storedMessages(h.server, conversationId);
    expect(stored).toHaveLength(4);

    // And the other way round.
    await send(other, "And one more");
    await other.locator(".message-user").getByText("And one more").waitFor();
    await other.locator(".message-assistant").nth(2).getByText("You said: And one more").waitFor();
    await waitForIdle(other);
    const last = await shownMessages(other);
    await expect.poll(() => shownMessages(page), { timeout: 10_000 }).toEqual(last);
    await other.close();
  });
});
