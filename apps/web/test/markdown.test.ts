import type { BrowserContext, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { MARKDOWN_REPLY } from "../../server/src/models/offline-model.ts";
import { chromiumAvailable } from "./helpers/chromium.ts";
import { serverAndBrowser } from "./helpers/harness.ts";
import { codeHighlighted, send, waitForIdle } from "./helpers/page.ts";

/** Every text the last assistant message showed while it streamed, one entry per change. */
async function recordReplyTexts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { replyTexts: string[] };
    w.replyTexts = [];
    new MutationObserver(() => {
      const replies = document.querySelectorAll(".message-assistant .message-text");
      const text = replies[replies.length - 1]?.textContent ?? "";
      if (text !== "" && w.replyTexts.at(-1) !== text) w.replyTexts.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** A string in @streamdown/code's own module (its error message), so in whichever chunk holds it. */
const SHIKI_MARK = "[Streamdown Code]";

/** The JavaScript the page has fetched so far, to ask which code it has loaded. */
function watchScripts(page: Page): { someContain: (text: string) => Promise<boolean> } {
  const bodies: Promise<string>[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() === "script") bodies.push(response.text().catch(() => ""));
  });
  return {
    someContain: async (text) => (await Promise.all(bodies)).some((body) => body.includes(text)),
  };
}

const CODE = [
  'const events = await repo.getEvents("demo", { limit: 50 });',
  "for (const event of events) console.log(event.seq, event.type);",
].join("\n");

describe.runIf(chromiumAvailable())("markdown in replies", () => {
  // A paced reply, so the markdown is seen half-written.
  const h = serverAndBrowser({ CHATLOG_OFFLINE_DELAY_MS: "20" });
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await h.chrome.browser.newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: h.server.url });
    page = await context.newPage();
  });

  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

  it("renders a streamed reply as markdown: bold, a list, highlighted code with a copy button, a link", async () => {
    const scripts = watchScripts(page);
    await page.goto(h.server.url);
    await page.getByRole("textbox", { name: "Message", exact: true }).waitFor();
    // The code highlighter is not part of the page's first load: it comes with the first code block.
    expect(await scripts.someContain(SHIKI_MARK)).toBe(false);
    await recordReplyTexts(page);
    await send(page, "Show me some markdown");
    const reply = page.locator(".message-assistant").last();
    await reply.locator("a", { hasText: "AI SDK documentation" }).waitFor();
    await waitForIdle(page);

    // While it streamed, the half-written syntax never showed as raw characters.
    const seen = await page.evaluate(() => (window as unknown as { replyTexts: string[] }).replyTexts);
    expect(seen.length).toBeGreaterThan(5);
    for (const text of seen) {
      expect(text).not.toContain("**");
      expect(text).not.toContain("```");
    }

    await expect(reply.locator('[data-streamdown="strong"]').first().textContent()).resolves.toBe("chatlog");
    await expect(reply.locator("ol > li").count()).resolves.toBe(3);
    const block = reply.locator('[data-streamdown="code-block"]');
    await expect(block.count()).resolves.toBe(1);
    // biome-ignore lint/performance/useDomNodeTextContent: lines are block spans; only the rendered text has the line breaks
    await expect(block.locator("pre").innerText()).resolves.toBe(CODE);
    // Highlighted: every line's tokens carry colours of their own (Shiki), not one for the block.
    await codeHighlighted(page);
    expect(await scripts.someContain(SHIKI_MARK)).toBe(true);

    await block.getByRole("button", { name: "Copy code" }).click();
    // The code exactly (a fence's content ends with its last line break).
    await expect.poll(async () => (await clipboard()).trimEnd()).toBe(CODE);

    const link = reply.getByRole("link", { name: "AI SDK documentation" });
    await expect(link.getAttribute("href")).resolves.toBe("https://ai-sdk.dev/docs");
    await expect(link.getAttribute("target")).resolves.toBe("_blank");
    await expect(link.getAttribute("rel")).resolves.toBe("noopener noreferrer");

    // The whole message copies as the markdown that was stored.
    await reply.getByRole("button", { name: "Copy message" }).click();
    await expect.poll(clipboard).toBe(MARKDOWN_REPLY);
  });

  it("shows HTML and script payloads in model output as text, never running them", async () => {
    const payloads = [
      `<img src="x" onerror="window.__xss = 'img'">`,
      `<script>window.__xss = 'script'</script>`,
      `<svg onload="window.__xss = 'svg'"></svg>`,
      `<iframe src="javascript:parent.__xss = 'iframe'"></iframe>`,
      `[click me](javascript:window.__xss='link')`,
      `<a href="javascript:window.__xss='anchor'">anchor</a>`,
      `![pic](javascript:window.__xss='image')`,
    ];
    await page.goto(h.server.url);
    await send(page, payloads.join("\n\n"));
    const reply = page.locator(".message-assistant").last();
    await reply.getByText("This is the start of our conversation").waitFor();
    await waitForIdle(page);

    // The model echoed them (the offline model says "You said: ..."); the page shows them as text.
    const text = (await reply.locator(".message-text").textContent()) ?? "";
    for (const payload of payloads.slice(0, 4)) expect(text).toContain(payload);
    for (const selector of ["img", "script", "svg", "iframe", 'a[href^="javascript"]']) {
      await expect(page.locator(`.messages ${selector}`).count()).resolves.toBe(0);
    }
    // Clicking what looks like links runs nothing either.
    for (const name of ["click me", "anchor"]) {
      const candidate = reply.getByText(name, { exact: true });
      if ((await candidate.count()) > 0) await candidate.first().click();
    }
    await expect(
      page.evaluate(() => (window as unknown as { __xss?: string }).__xss),
    ).resolves.toBeUndefined();
  });
});
