import type { UIMessage } from "ai";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./helpers/chromium.ts";
import { serverAndBrowser } from "./helpers/harness.ts";
import { conversationIdOf, send, waitForIdle } from "./helpers/page.ts";
import type { WebServer } from "./helpers/server.ts";

interface StoredEvent {
  type: string;
  content: unknown;
  extra: Record<string, unknown> | null;
}

/**
 * Whether the server has `POST /api/chat/{id}/stop`. It comes from the turn engine's branch; a
 * server without it answers the router's own 404 ("no route for ..."), and then the page can
 * only stop reading.
 */
async function hasStopRoute(server: WebServer): Promise<boolean> {
  const res = await server.api("/api/chat/probe/stop", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return !(res.status === 404 && /^no route for/.test(body?.error?.message ?? ""));
}

const shownReply = (page: Page) => page.locator(".message-assistant .message-text").last().textContent();
const textOf = (m: UIMessage | undefined) =>
  m?.parts.map((p) => (p.type === "text" ? p.text : "")).join("") ?? "";

describe.runIf(chromiumAvailable())("stopping a reply", () => {
  // A reply of 300 words at 50 ms: about fifteen seconds, stopped long before its end.
  const h = serverAndBrowser({ CHATLOG_OFFLINE_DELAY_MS: "50", CHATLOG_OFFLINE_REPLY_WORDS: "300" });

  async function startLongReply(page: Page): Promise<string> {
    await page.goto(h.server.url);
    await send(page, "Tell me a very long story");
    await page.waitForURL(/\/c\/[^/]+$/);
    await page
      .locator(".message-assistant .message-text")
      .getByText("You said: Tell me a very long story")
      .waitFor();
    // While it streams, Send is Stop.
    await expect(page.getByRole("button", { name: "Send" }).count()).resolves.toBe(0);
    return conversationIdOf(page);
  }

  it("Stop ends the generation: the stored reply is what the page shows, marked stopped", async (ctx) => {
    if (!(await hasStopRoute(h.server))) ctx.skip(); // runs once the server has the route
    const page = await h.chrome.browser.newPage();
    const conversationId = await startLongReply(page);
    await page.getByRole("button", { name: "Stop" }).click();
    await waitForIdle(page, 10_000);
    await page.getByRole("button", { name: "Send" }).waitFor();

    const messages = async () => {
      const res = await h.server.api(`/api/chat/${encodeURIComponent(conversationId)}/messages`);
      return ((await res.json()) as { messages: UIMessage[] }).messages;
    };
    const stored = textOf((await messages())[1]);
    expect(stored.split(/\s+/).length).toBeLessThan(250); // cut short, not the whole reply
    await expect.poll(() => shownReply(page), { timeout: 5_000 }).toBe(stored);
    await page.locator(".message-assistant .stopped-note").waitFor();
    const events = (await (
      await h.server.api(`/v1/conversations/${encodeURIComponent(conversationId)}/events?limit=1000`)
    ).json()) as { events: StoredEvent[] };
    const replies = events.events.filter((e) => e.type === "assistant_message");
    expect(replies).toHaveLength(1);
    expect(replies[0]?.extra?.stopped).toBe(true);
    expect(replies[0]?.content).toBe(stored);

    // The generation ended: nothing more is written, and a reload shows the same reply.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(textOf((await messages())[1])).toBe(stored);
    await page.reload();
    await page.locator(".message-assistant").first().waitFor();
    await waitForIdle(page);
    await expect(shownReply(page)).resolves.toBe(stored);
    await expect(page.locator(".message-assistant .stopped-note").count()).resolves.toBe(1);
    await page.close();
  });

  it("without the server's stop route, Stop stops reading the reply and the page is ready again", async (ctx) => {
    if (await hasStopRoute(h.server)) ctx.skip(); // the test above covers a server that has it
    const page = await h.chrome.browser.newPage();
    await startLongReply(page);
    await page.getByRole("button", { name: "Stop" }).click();
    await waitForIdle(page, 10_000);
    await page.getByRole("button", { name: "Send" }).waitFor();
    const shown = await shownReply(page);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(shownReply(page)).resolves.toBe(shown); // no longer growing
    await page.close();
  });
});
