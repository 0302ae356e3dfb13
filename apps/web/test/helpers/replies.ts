import type { Browser, Page } from "playwright-core";
import type { MoreServers } from "./harness.ts";
import { conversationIdOf, send } from "./page.ts";
import type { WebServer } from "./server.ts";

/** Waits until the page's last reply shows the offline model's opening words for `prompt`. */
export async function replyShown(page: Page, prompt: string): Promise<void> {
  await page.locator(".message-assistant .message-text").getByText(`You said: ${prompt}`).waitFor();
}

/**
 * Opens the page at `url` (a new conversation), sends `prompt` and waits until the reply has
 * begun on screen; returns the conversation's id, from the address the page moved to.
 */
export async function startReply(page: Page, url: string, prompt: string): Promise<string> {
  await page.goto(url);
  await send(page, prompt);
  await page.waitForURL(/\/c\/[^/]+$/);
  await replyShown(page, prompt);
  return conversationIdOf(page);
}

/** A reply of 200 words at 50 ms: about ten seconds, long enough to be in the middle of. */
export const SLOW_REPLY = { CHATLOG_OFFLINE_DELAY_MS: "50", CHATLOG_OFFLINE_REPLY_WORDS: "200" };

/**
 * A reply cut short by a crash: a server with a slow model, a new page on it whose reply to
 * `prompt` has begun, then SIGKILL. The database file stays, for the next server.
 */
export async function replyCutByCrash(
  browser: Browser,
  servers: MoreServers,
  prompt = "Tell me an endless story",
): Promise<{ page: Page; conversationId: string; crashed: WebServer }> {
  const crashed = await servers.start(SLOW_REPLY);
  const page = await browser.newPage();
  const conversationId = await startReply(page, crashed.url, prompt);
  await crashed.kill();
  return { page, conversationId, crashed };
}
