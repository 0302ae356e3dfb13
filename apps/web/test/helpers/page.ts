import type { Page } from "playwright-core";

/** The visible messages, each as its role and its text as a reader sees it. */
export async function shownMessages(page: Page): Promise<string[]> {
  return page
    .locator(".messages article.message")
    .evaluateAll((articles) =>
      articles.map((a) => (a as HTMLElement).textContent.replace(/\s+/g, " ").trim()),
    );
}

/** Waits until useChat is idle again: nothing submitted, nothing streaming, no error. */
export async function waitForIdle(page: Page, timeout = 30_000): Promise<void> {
  await page.locator('.conversation[data-status="ready"]').waitFor({ timeout });
}

/**
 * Records the length of the last assistant message's text each time it changes, so a test can
 * tell a reply that streamed in from one that appeared at once.
 */
export async function recordReplyGrowth(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { replyLengths: number[] };
    w.replyLengths = [];
    new MutationObserver(() => {
      const replies = document.querySelectorAll(".message-assistant .message-text");
      const length = replies[replies.length - 1]?.textContent?.length ?? 0;
      if (length > 0 && w.replyLengths.at(-1) !== length) w.replyLengths.push(length);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

export async function replyLengths(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { replyLengths: number[] }).replyLengths);
}

/** The conversation id from the address (/c/<id>). */
export function conversationIdOf(page: Page): string {
  const match = /\/c\/([^/?#]+)/.exec(page.url());
  if (!match?.[1]) throw new Error(`no conversation in ${page.url()}`);
  return decodeURIComponent(match[1]);
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill(text);
  await box.press("Enter");
}

/**
 * Waits until every line of the last code block is highlighted: Shiki works asynchronously, and
 * while a block streams its lines may show in one colour for a moment.
 */
export async function codeHighlighted(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const blocks = document.querySelectorAll('[data-streamdown="code-block"] code');
      const lines = blocks[blocks.length - 1]?.querySelectorAll(":scope > span") ?? [];
      return (
        lines.length > 0 &&
        Array.from(lines).every(
          (line) => new Set(Array.from(line.children, (t) => getComputedStyle(t).color)).size > 1,
        )
      );
    },
    undefined,
    { timeout },
  );
}

/**
 * Counts the page's requests still open, so a test can wait for the page to be quiet (the
 * reads it makes after a reply ends, say) before it changes the server under it.
 */
export function watchRequests(page: Page): { settled: (timeout?: number) => Promise<void> } {
  let open = 0;
  page.on("request", () => open++);
  page.on("requestfinished", () => open--);
  page.on("requestfailed", () => open--);
  return {
    async settled(timeout = 10_000) {
      const until = Date.now() + timeout;
      while (open > 0) {
        if (Date.now() > until) throw new Error(`${open} requests still open after ${timeout} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
