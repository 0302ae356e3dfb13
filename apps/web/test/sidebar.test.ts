import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./helpers/chromium.ts";
import { serverAndBrowser } from "./helpers/harness.ts";
import { postTurn } from "./helpers/turns.ts";

describe.runIf(chromiumAvailable())("the sidebar", () => {
  const h = serverAndBrowser({ CHATLOG_OFFLINE_DELAY_MS: "0" }, async (server) => {
    // 35 conversations: more than one page of 30. Created one after another, so conv-34 is newest.
    for (let i = 0; i < 35; i++) await postTurn(server, `conv-${String(i).padStart(2, "0")}`, `hello ${i}`);
  });

  /** The conversations listed, as their ids (data-conversation-id), or the text of `part` of each. */
  async function items(page: Page, part?: string): Promise<string[]> {
    const entries = page.getByRole("navigation", { name: "Conversations" }).locator("li.conversation-entry");
    if (part) return entries.locator(part).allInnerTexts();
    return entries.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-conversation-id") ?? ""));
  }
  const linkTo = (page: Page, id: string) => page.locator(`nav a[href="/c/${id}"]`);

  it("lists conversations newest activity first, a page at a time", async () => {
    const page = await h.chrome.browser.newPage();
    await page.goto(h.server.url);
    const nav = page.getByRole("navigation", { name: "Conversations" });
    await linkTo(page, "conv-34").waitFor();
    const first = await items(page);
    expect(first).toHaveLength(30);
    expect(first.slice(0, 3)).toEqual(["conv-34", "conv-33", "conv-32"]);
    // Each is named by the start of its first message.
    expect((await items(page, ".conversation-title")).slice(0, 2)).toEqual(["hello 34", "hello 33"]);
    await nav.getByRole("button", { name: "Load more" }).click();
    await linkTo(page, "conv-00").waitFor();
    const all = await items(page);
    expect(all).toHaveLength(35);
    expect(new Set(all).size).toBe(35);
    expect(all.at(-1)).toBe("conv-00");
    await expect(nav.getByRole("button", { name: "Load more" }).count()).resolves.toBe(0);
    await page.close();
  });

  it("moves a conversation with new activity to the top", async () => {
    const page = await h.chrome.browser.newPage();
    await postTurn(h.server, "conv-05", "back again");
    await page.goto(h.server.url);
    await linkTo(page, "conv-05").waitFor();
    expect((await items(page))[0]).toBe("conv-05");
    // Still named by its first message, not the newest one.
    expect((await items(page, ".conversation-title"))[0]).toBe("hello 5");
    await page.close();
  });

  it("opens a conversation from its link: the address names it and it is marked current", async () => {
    const page = await h.chrome.browser.newPage();
    await page.goto(h.server.url);
    await linkTo(page, "conv-12").click();
    await page.waitForURL(/\/c\/conv-12$/);
    await expect(linkTo(page, "conv-12").getAttribute("aria-current")).resolves.toBe("page");
    // The page's route survives a reload (the server answers /c/<id> with the page).
    await page.reload();
    await expect(linkTo(page, "conv-12").getAttribute("aria-current")).resolves.toBe("page");
    await page.close();
  });
});
