import type { UIMessage } from "ai";
import { describe, expect, it } from "vitest";
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
import { startWebServer, type WebServer } from "./helpers/server.ts";

async function storedMessages(server: WebServer, conversationId: string): Promise<UIMessage[]> {
  const res = await server.api(`/api/chat/${encodeURIComponent(conversationId)}/messages`);
  return ((await res.json()) as { messages: UIMessage[] }).messages;
}

describe.runIf(chromiumAvailable())("errors a person can act on", () => {
  const h = serverAndBrowser({ CHATLOG_OFFLINE_DELAY_MS: "0", CHATLOG_MAX_BODY_BYTES: "2048" });

  it("a message over the server's limit stays in the box, the limit is said, and nothing is resent", async () => {
    const page = await h.chrome.browser.newPage();
    await page.goto(h.server.url);
    const box = page.getByRole("textbox", { name: "Message", exact: true });
    const long = `${"a long line of text ".repeat(150)}the end`;
    await send(page, long);

    const notice = page.locator(".send-notice");
    await notice.getByText("too long to send").waitFor();
    await expect(notice.textContent()).resolves.toContain("2 KB");
    // The text is kept, and nothing shows as sent.
    await expect(box.inputValue()).resolves.toBe(long.trim());
    await expect(page.locator(".message-user").count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: "Try again" }).count()).resolves.toBe(0);
    await expect(page.locator(".conversation").getAttribute("data-status")).resolves.toBe("ready");
    const listed = (await (await h.server.api("/v1/conversations")).json()) as { conversations: unknown[] };
    expect(listed.conversations).toHaveLength(0);

    // Shortened, it goes through, once.
    await box.fill("the short version");
    await box.press("Enter");
    await page.locator(".message-assistant").getByText("You said: the short version").waitFor();
    await waitForIdle(page);
    await expect(notice.count()).resolves.toBe(0);
    const stored = await storedMessages(h.server, conversationIdOf(page));
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
    await page.close();
  });

  it("a server that goes away mid-reply: a sentence says so, and the page recovers by itself when it is back", async () => {
    const slow = { CHATLOG_OFFLINE_DELAY_MS: "50", CHATLOG_OFFLINE_REPLY_WORDS: "200" };
    const servers: WebServer[] = [];
    const first = await startWebServer(slow);
    servers.push(first);
    try {
      const page = await h.chrome.browser.newPage();
      await page.goto(first.url);
      await send(page, "Tell me an endless story");
      await page.waitForURL(/\/c\/[^/]+$/);
      const conversationId = conversationIdOf(page);
      await page
        .locator(".message-assistant .message-text")
        .getByText("You said: Tell me an endless story")
        .waitFor();
      await first.kill();

      const notice = page.locator(".send-notice");
      await notice.getByText("can’t be reached").waitFor({ timeout: 10_000 });
      await expect(page.getByText("Failed to fetch").count()).resolves.toBe(0);

      // Written while it is away: not lost, kept in the box.
      const box = page.getByRole("textbox", { name: "Message", exact: true });
      await send(page, "Are you there?");
      await notice.getByText("your message is kept in the box").waitFor();
      await expect(box.inputValue()).resolves.toBe("Are you there?");
      await expect(page.locator(".message-user").count()).resolves.toBe(1);

      // Back on the same address and database; no reload of the page.
      const port = new URL(first.url).port;
      const second = await startWebServer(
        { CHATLOG_OFFLINE_DELAY_MS: "5", PORT: port },
        { databaseFile: first.databaseFile },
      );
      servers.push(second);
      expect(second.url).toBe(first.url);
      await notice.waitFor({ state: "detached", timeout: 15_000 });
      // The reply the crash cut short, as the restarted server stored it.
      await page.locator(".message-assistant .interrupted-note").waitFor({ timeout: 15_000 });
      const stored = await storedMessages(second, conversationId);
      expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
      await expect.poll(() => page.locator(".message-assistant").count()).toBe(1);

      // And the kept message can now be sent.
      await box.press("Enter");
      await page.locator(".message-assistant").nth(1).getByText("You said: Are you there?").waitFor();
      await waitForIdle(page, 30_000);
      expect((await storedMessages(second, conversationId)).map((m) => m.role)).toEqual([
        "user",
        "assistant",
        "user",
        "assistant",
      ]);
      expect(await shownMessages(page)).toHaveLength(4);
      await page.close();
    } finally {
      for (const server of servers.reverse()) await server.stop();
    }
  });

  it("a reply generated by another server process is resumed when the page's server is back", async () => {
    // The page talks to `front`; the reply is generated by `worker` on the same database, and
    // is long (600 words at 40 ms, about 24 s) so it is still being written when `front` is back.
    const slow = { CHATLOG_OFFLINE_DELAY_MS: "40", CHATLOG_OFFLINE_REPLY_WORDS: "600" };
    const servers: WebServer[] = [];
    const front = await startWebServer(slow);
    servers.push(front);
    const worker = await startWebServer(slow, { databaseFile: front.databaseFile });
    servers.push(worker);
    try {
      const conversationId = "followed";
      // Started on the worker; the client goes away at once, the generation does not.
      const turn = new AbortController();
      const started = await worker.api(`/v1/conversations/${conversationId}/turns`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ content: "Tell me a story from the worker", requestId: "w1" }),
        signal: turn.signal,
      });
      expect(started.status).toBe(200);
      turn.abort();

      const page = await h.chrome.browser.newPage();
      await page.goto(`${front.url}/c/${conversationId}`);
      await page.locator(".message-assistant .message-text").getByText("You said: Tell me a story").waitFor();
      await front.kill();
      await page.locator(".send-notice").getByText("can’t be reached").waitFor({ timeout: 10_000 });

      const port = new URL(front.url).port;
      const back = await startWebServer({ ...slow, PORT: port }, { databaseFile: front.databaseFile });
      servers.push(back);
      await page.locator(".send-notice").waitFor({ state: "detached", timeout: 15_000 });
      await recordReplyGrowth(page);
      // Followed to its end through the restarted server: the one stored reply, whole.
      await page.locator('.conversation[data-status="streaming"]').waitFor({ timeout: 15_000 });
      await waitForIdle(page, 60_000);
      const stored = await storedMessages(back, conversationId);
      expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
      const storedText = stored[1]?.parts.map((p) => (p.type === "text" ? p.text : "")).join("") ?? "";
      expect(storedText.split(" ").length).toBeGreaterThanOrEqual(600); // whole, not cut
      await expect(page.locator(".message-assistant .message-text").textContent()).resolves.toBe(storedText);
      // It streamed in after the server came back (resumed), rather than appearing whole.
      expect((await replyLengths(page)).length).toBeGreaterThan(3);
      await expect(page.locator(".message-assistant").count()).resolves.toBe(1);
      await expect(page.locator(".interrupted-note").count()).resolves.toBe(0);
      await page.close();
    } finally {
      for (const server of servers.reverse()) await server.stop();
    }
  });
});
