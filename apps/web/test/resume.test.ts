import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./helpers/chromium.ts";
import { moreServers, serverAndBrowser } from "./helpers/harness.ts";
import { recordReplyGrowth, replyLengths, waitForIdle } from "./helpers/page.ts";
import { replyCutByCrash, SLOW_REPLY, startReply } from "./helpers/replies.ts";
import { storedMessages, textOf } from "./helpers/stored.ts";

describe.runIf(chromiumAvailable())("a reply in the middle of a reload or a crash", () => {
  // A slow reply: 60 words at 50 ms, about three seconds, so the reload lands in the middle.
  const h = serverAndBrowser({ CHATLOG_OFFLINE_DELAY_MS: "50", CHATLOG_OFFLINE_REPLY_WORDS: "60" });
  const servers = moreServers();

  it("continues the reply after the reload and ends with the one stored reply", async () => {
    const page = await h.chrome.browser.newPage();
    // Some of the reply is on screen, not all of it.
    const conversationId = await startReply(page, h.server.url, "Tell me a long story");
    await page.reload();
    await recordReplyGrowth(page);

    // The resumed stream keeps adding to the reply until it ends; then it is the stored one.
    await page.locator(".message-assistant .message-text").first().waitFor();
    await page.waitForFunction(
      () =>
        document.querySelector(".conversation")?.getAttribute("data-status") === "streaming" ||
        (window as unknown as { replyLengths: number[] }).replyLengths.length > 1,
      undefined,
      { timeout: 20_000 },
    );
    await waitForIdle(page, 20_000);
    const messages = await storedMessages(h.server, conversationId);
    expect(messages).toHaveLength(2);
    const final = messages[1]!;
    const finalText = textOf(final);

    const growth = await replyLengths(page);
    expect(growth.length).toBeGreaterThan(1); // it grew after the reload: it was resumed, not reloaded whole
    expect(growth.at(-1)).toBe(finalText.length);
    await expect(page.locator(".message-assistant").count()).resolves.toBe(1);
    await expect(page.locator(".message-assistant").getAttribute("data-message-id")).resolves.toBe(final.id);
    await expect(page.locator(".message-assistant .message-text").textContent()).resolves.toBe(finalText);
    await expect(page.locator(".interrupted-note").count()).resolves.toBe(0);
  });

  it("marks a reply cut short by a crash interrupted once the next server has finalized it", async () => {
    const { page, conversationId, crashed } = await replyCutByCrash(h.chrome.browser, servers);

    // The next start, on the same database, stores what the deltas had as an interrupted reply.
    const second = await servers.start(SLOW_REPLY, { databaseFile: crashed.databaseFile });
    await page.goto(`${second.url}/c/${encodeURIComponent(conversationId)}`);
    const reply = page.locator(".message-assistant");
    await reply.locator(".interrupted-note").waitFor();
    await expect(reply.count()).resolves.toBe(1);
    await expect(reply.locator(".message-text").textContent()).resolves.toContain(
      "You said: Tell me an endless story",
    );
    // Regenerate gives it a whole reply, and the mark goes with the old one.
    await page.getByRole("button", { name: "Regenerate" }).click();
    await page
      .locator(".message-assistant .message-text")
      .getByText("You said: Tell me an endless story")
      .waitFor();
    await expect(page.locator(".interrupted-note").count()).resolves.toBe(0);
    await page.close();
  });
});
