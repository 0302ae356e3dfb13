/**
 * `pnpm --filter @chatlog/web screenshot`: the README's picture of the page. Starts the real
 * server on a fresh database, has a short conversation through the page (a reply in markdown
 * with a code block, then a clock tool call) and writes screenshot.png beside this package's
 * README, tall enough to show the conversation whole.
 */
import { fileURLToPath } from "node:url";
import { launchChromium } from "../test/helpers/chromium.ts";
import { codeHighlighted, send, waitForIdle } from "../test/helpers/page.ts";
import { startWebServer } from "../test/helpers/server.ts";
import { postTurn } from "../test/helpers/turns.ts";

const out = fileURLToPath(new URL("../screenshot.png", import.meta.url));
// A server child that runs the sources (no current build) resolves @chatlog/* to them, as the
// tests' children do (vitest.shared.ts); without it, it looks for builds that are not there.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --conditions=@chatlog/source`.trim();
const server = await startWebServer({ CHATLOG_OFFLINE_DELAY_MS: "0" });
const chrome = await launchChromium();
try {
  for (const [id, text] of [
    ["trip-planning", "Help me plan a weekend trip"],
    ["recipe-ideas", "What can I cook with leeks?"],
  ] as const)
    await postTurn(server, id, text);
  const page = await chrome.browser.newPage({ viewport: { width: 1100, height: 820 } });
  await page.goto(server.url);
  await send(page, "How does chatlog store a turn? Answer in markdown.");
  await page.locator('.message-assistant [data-streamdown="code-block"]').waitFor();
  await waitForIdle(page);
  await codeHighlighted(page);
  await page.waitForTimeout(2000);
  await send(page, "What time is it?");
  await page.locator(".message-assistant .message-text").getByText("The current UTC time is").waitFor();
  await waitForIdle(page);
  // The mouse rests on empty sidebar space: no hover buttons show but the open conversation's.
  await page.mouse.move(140, 780);
  await page.locator(".message-scroller").evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.screenshot({ path: out });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await chrome.close();
  await server.stop();
}
