import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./helpers/chromium.ts";
import { moreServers, serverAndBrowser } from "./helpers/harness.ts";
import { waitForIdle } from "./helpers/page.ts";
import { replyShown, startReply } from "./helpers/replies.ts";
import { storedEvents, storedMessages, textOf } from "./helpers/stored.ts";

const shownReply = (page: Page) => page.locator(".message-assistant .message-text").last().textContent();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A reply of 300 words at 50 ms: about fifteen seconds, stopped long before its end.
const SLOW = { CHATLOG_OFFLINE_DELAY_MS: "50", CHATLOG_OFFLINE_REPLY_WORDS: "300" };

describe.runIf(chromiumAvailable())("stopping a reply", () => {
  const h = serverAndBrowser(SLOW);
  const servers = moreServers();

  async function startLongReply(page: Page, prompt: string): Promise<string> {
    const conversationId = await startReply(page, h.server.url, prompt);
    // While it streams, Send is Stop.
    await expect(page.getByRole("button", { name: "Send" }).count()).resolves.toBe(0);
    return conversationId;
  }

  it("Stop ends the generation: the stored reply is what the page shows, marked stopped", async () => {
    const page = await h.chrome.browser.newPage();
    const conversationId = await startLongReply(page, "Tell me a very long story");
    await page.getByRole("button", { name: "Stop" }).click();
    await waitForIdle(page, 10_000);
    await page.getByRole("button", { name: "Send" }).waitFor();

    const stored = textOf((await storedMessages(h.server, conversationId))[1]);
    expect(stored.split(/\s+/).length).toBeLessThan(250); // cut short, not the whole reply
    await expect.poll(() => shownReply(page), { timeout: 5_000 }).toBe(stored);
    await page.locator(".message-assistant .stopped-note").waitFor();
    const replies = (await storedEvents(h.server, conversationId)).filter(
      (e) => e.type === "assistant_message",
    );
    expect(replies).toHaveLength(1);
    expect(replies[0]?.extra?.stopped).toBe(true);
    expect(replies[0]?.content).toBe(stored);

    // The generation ended: nothing more is written, and a reload shows the same reply.
    await pause(1_000);
    expect(textOf((await storedMessages(h.server, conversationId))[1])).toBe(stored);
    await page.reload();
    await page.locator(".message-assistant").first().waitFor();
    await waitForIdle(page);
    await expect(shownReply(page)).resolves.toBe(stored);
    await expect(page.locator(".message-assistant .stopped-note").count()).resolves.toBe(1);
    await page.close();
  });

  it("Stop on a page of another server process, following the reply, stops the process generating it", async () => {
    // Server B shares A's database file: it can only follow A's generation from the database.
    const b = await servers.start(SLOW, { databaseFile: h.server.databaseFile });
    // Two browser profiles: nothing passes between the pages except through the servers.
    const contextA = await h.chrome.browser.newContext();
    const contextB = await h.chrome.browser.newContext();
    try {
      const pageA = await contextA.newPage();
      const prompt = "Tell me a story across two servers";
      const conversationId = await startLongReply(pageA, prompt);

      const pageB = await contextB.newPage();
      await pageB.goto(`${b.url}/c/${encodeURIComponent(conversationId)}`);
      await replyShown(pageB, prompt);
      // B resumed a reply it does not generate, and offers Stop for it all the same.
      const stopB = pageB.getByRole("button", { name: "Stop" });
      await stopB.waitFor();
      const clickedAt = Date.now();
      await stopB.click();

      await waitForIdle(pageB, 10_000);
      await waitForIdle(pageA, 10_000);
      const events = await storedEvents(h.server, conversationId);
      const replies = events.filter((e) => e.type === "assistant_message");
      // One reply, A's, stopped: B's Stop made B generate nothing.
      expect(replies).toHaveLength(1);
      const reply = replies[0]!;
      expect(reply.extra?.stopped).toBe(true);
      expect((reply.content as string).split(/\s+/).length).toBeLessThan(250);
      // The holder obeyed within a second of the stop being recorded (both times are the servers').
      const stopEvent = events.find((e) => e.type === "meta" && e.extra?.kind === "turn_stop");
      expect(stopEvent).toBeDefined();
      const obeyedMs = Date.parse(reply.createdAt) - Date.parse(stopEvent!.createdAt);
      console.info(
        `stop across processes: reply stored ${obeyedMs} ms after the stop was recorded,` +
          ` ${Date.parse(reply.createdAt) - clickedAt} ms after the click`,
      );
      expect(obeyedMs).toBeGreaterThanOrEqual(0);
      expect(obeyedMs).toBeLessThan(1_000);

      // Both pages, idle, show the stored reply, marked stopped; so do both servers.
      const stored = textOf((await storedMessages(b, conversationId))[1]);
      expect(stored).toBe(reply.content);
      expect(textOf((await storedMessages(h.server, conversationId))[1])).toBe(stored);
      for (const page of [pageA, pageB]) {
        await expect.poll(() => shownReply(page), { timeout: 5_000 }).toBe(stored);
        await page.locator(".message-assistant .stopped-note").waitFor();
        await expect(page.locator(".message-assistant").count()).resolves.toBe(1);
        await page.getByRole("button", { name: "Send" }).waitFor();
      }

      // The model call ended: a second later nothing more has been written anywhere.
      await pause(1_500);
      expect(await storedEvents(h.server, conversationId)).toEqual(events);
      for (const page of [pageA, pageB]) await expect(shownReply(page)).resolves.toBe(stored);
    } finally {
      await contextA.close();
      await contextB.close();
    }
  });
});
