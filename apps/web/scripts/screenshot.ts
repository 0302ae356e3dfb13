/**
 * `pnpm --filter @chatlog/web screenshot`: the README's picture of the page. Starts the real
 * server on a fresh database, has a short conversation through the page (a clock tool call, a
 * calculation) and writes screenshot.png beside this package's README.
 */
import { fileURLToPath } from "node:url";
import { launchChromium } from "../test/helpers/chromium.ts";
import { send, waitForIdle } from "../test/helpers/page.ts";
import { startWebServer } from "../test/helpers/server.ts";
import { postTurn } from "../test/helpers/turns.ts";

const out = fileURLToPath(new URL("../screenshot.png", import.meta.url));
const server = await startWebServer({ CHATLOG_OFFLINE_DELAY_MS: "0" });
const chrome = await launchChromium();
try {
  for (const [id, text] of [
    ["trip-planning", "Help me plan a weekend trip"],
    ["recipe-ideas", "What can I cook with leeks?"],
  ] as const)
    await postTurn(server, id, text);
  const page = await chrome.browser.newPage({ viewport: { width: 1100, height: 700 } });
  await page.goto(server.url);
  await send(page, "What time is it?");
  await page.locator(".message-assistant .message-text").getByText("The current UTC time is").waitFor();
  await waitForIdle(page);
  await send(page, "calculate 12 * (3 + 4)");
  await page.getByText("12 * (3 + 4) = 84.").waitFor();
  await waitForIdle(page);
  await page.locator(".tool-call summary").first().click(); // the first call opened: input and result
  await page.screenshot({ path: out });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await chrome.close();
  await server.stop();
}
