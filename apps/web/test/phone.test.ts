import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./helpers/chromium.ts";
import { serverAndBrowser } from "./helpers/harness.ts";
import { send, waitForIdle } from "./helpers/page.ts";
import { postTurn } from "./helpers/turns.ts";

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe.runIf(chromiumAvailable())("on a phone-sized screen, a long conversation", () => {
  const h = serverAndBrowser({ CHATLOG_OFFLINE_DELAY_MS: "0" }, async (server) => {
    // 25 turns: 50 messages, more than the page's first page of 40.
    for (let i = 0; i < 25; i++) await postTurn(server, "long", `message number ${i}`);
    await postTurn(server, "short", "hi");
  });

  /** The long conversation on a phone, its first page (the 40 newest messages) shown. */
  async function openLong() {
    const context = await h.chrome.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${h.server.url}/c/long`);
    await page.getByText("You said: message number 24").waitFor();
    await waitForIdle(page);
    const articles = page.locator(".messages article");
    await expect(articles.count()).resolves.toBe(40);
    return { context, page, articles };
  }

  it("fits the screen, with the conversations behind a button", async () => {
    const context = await h.chrome.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(h.server.url);
    const toggle = page.getByRole("button", { name: "Conversations" });
    const nav = page.getByRole("navigation", { name: "Conversations" });
    await expect(toggle.getAttribute("aria-expanded")).resolves.toBe("false");
    await expect(nav.isVisible()).resolves.toBe(false);

    await toggle.click();
    await expect(toggle.getAttribute("aria-expanded")).resolves.toBe("true");
    await nav.locator('a[href="/c/short"]').click();
    await page.waitForURL(/\/c\/short$/);
    await expect(nav.isVisible()).resolves.toBe(false);
    await page.locator(".message-assistant").first().waitFor();

    // Nothing wider than the screen; the message box is on screen and takes a message.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const box = page.getByRole("textbox", { name: "Message", exact: true });
    const where = await box.boundingBox();
    expect(where).not.toBeNull();
    expect(where!.y + where!.height).toBeLessThanOrEqual(844);
    expect(where!.width).toBeGreaterThan(200);
    await send(page, "hello from a phone");
    await page.locator(".message-assistant").nth(1).getByText("You said: hello from a phone").waitFor();
    await waitForIdle(page);
    await context.close();
  });

  it("loads the older page of a long conversation (Load older messages), without repeats", async () => {
    const { context, page, articles } = await openLong();
    await expect(
      page.locator(".messages").getByText("message number 0", { exact: true }).count(),
    ).resolves.toBe(0);

    // The page before arrives above what was shown.
    const firstShown = await articles.first().getAttribute("data-message-id");
    // As a keyboard user: focus the button and press Enter. (Focusing scrolls the list to its
    // top, which may start the same load by itself; either way one older page arrives.)
    await page.getByRole("button", { name: "Load older messages" }).focus();
    await page.keyboard.press("Enter");
    await page.locator(".messages").getByText("message number 0", { exact: true }).waitFor();
    await expect(articles.count()).resolves.toBe(50);
    const ids = await articles.evaluateAll((a) => a.map((e) => e.getAttribute("data-message-id")));
    expect(new Set(ids).size).toBe(50);
    const kept = page.locator(`[data-message-id="${firstShown}"]`);
    await expect(kept.isVisible()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: "Load older messages" }).count()).resolves.toBe(0);
    await context.close();
  });

  it("loads the older page when scrolled up to the top, and keeps the view on the same message", async () => {
    const { context, page, articles } = await openLong();
    const firstShown = page.locator(
      `[data-message-id="${await articles.first().getAttribute("data-message-id")}"]`,
    );

    // The list scrolls inside the screen; the page itself does not (it did: the list then never
    // saw a scroll, and its top never loaded the older page).
    const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    expect(pageHeight).toBeLessThanOrEqual(0);
    // A user scrolling up with the wheel (no button pressed) until the older page arrives.
    const scroller = page.locator(".message-scroller");
    const box = (await scroller.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 200 && (await articles.count()) < 50; i++) {
      await page.mouse.wheel(0, -400);
      await page.waitForTimeout(20);
    }
    await page.locator(".messages").getByText("message number 0", { exact: true }).waitFor();
    await expect(articles.count()).resolves.toBe(50);
    // The older messages came in above: the one that was first is still on screen, not pushed
    // down out of view, and the list did not jump to the very top.
    await expect(firstShown.isVisible()).resolves.toBe(true);
    const at = (await firstShown.boundingBox())!;
    expect(at.y).toBeGreaterThanOrEqual(box.y - at.height);
    expect(at.y).toBeLessThan(box.y + box.height);
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await context.close();
  });
});
