import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./helpers/chromium.ts";
import { serverAndBrowser } from "./helpers/harness.ts";
import { conversationIdOf, send, waitForIdle } from "./helpers/page.ts";
import { postTurn } from "./helpers/turns.ts";

interface Listed {
  conversationId: string;
  title: string | null;
}

describe.runIf(chromiumAvailable())("conversations in the sidebar", () => {
  // Slow replies (about 80 words at 40 ms): a reply is still streaming for a few seconds.
  const h = serverAndBrowser(
    { CHATLOG_OFFLINE_DELAY_MS: "40", CHATLOG_OFFLINE_REPLY_WORDS: "80" },
    async (server) => {
      await postTurn(server, "trip", "Help me plan a weekend trip");
      await postTurn(server, "leeks", "What can I cook with leeks?");
    },
  );

  const nav = (page: Page) => page.getByRole("navigation", { name: "Conversations" });
  const entry = (page: Page, id: string) => nav(page).locator(`li[data-conversation-id="${id}"]`);
  async function listed(): Promise<Listed[]> {
    const res = await h.server.api("/v1/conversations");
    return ((await res.json()) as { conversations: Listed[] }).conversations;
  }

  it("shows each conversation's title and when it was active, not its id or event count", async () => {
    const page = await h.chrome.browser.newPage();
    await page.goto(h.server.url);
    const trip = entry(page, "trip");
    await trip.waitFor();
    const text = ((await trip.textContent()) ?? "").replace(/\s+/g, " ");
    expect(text).toContain("Help me plan a weekend trip");
    expect(text).toMatch(/just now|min/);
    expect(text).not.toContain("trip ·");
    expect(text).not.toMatch(/\d+ events?/);
    await page.close();
  });

  it("shows a new conversation in the sidebar as soon as its first message is sent, before the reply ends", async () => {
    const page = await h.chrome.browser.newPage();
    await page.goto(h.server.url);
    await entry(page, "trip").waitFor();
    await send(page, "A brand new question");
    await page.waitForURL(/\/c\/[^/]+$/);
    const id = conversationIdOf(page);
    const item = entry(page, id);
    await item.waitFor({ timeout: 5_000 });
    await expect(item.textContent()).resolves.toContain("A brand new question");
    // The reply is still on its way.
    await expect(page.locator(".conversation").getAttribute("data-status")).resolves.toMatch(
      /submitted|streaming/,
    );
    await expect(item.locator("a").getAttribute("aria-current")).resolves.toBe("page");
    await waitForIdle(page);
    await page.close();
  });

  it("renames from the sidebar: the stored title wins over the first message, everywhere", async () => {
    const page = await h.chrome.browser.newPage();
    await page.goto(`${h.server.url}/c/trip`);
    const trip = entry(page, "trip");
    await trip.hover();
    await trip.getByRole("button", { name: /^Rename/ }).click();
    const input = trip.getByRole("textbox", { name: "Conversation title" });
    await expect(input.inputValue()).resolves.toBe("Help me plan a weekend trip");
    await input.fill("Lisbon in May");
    await input.press("Enter");
    await trip.locator(".conversation-title").getByText("Lisbon in May").waitFor();

    expect((await listed()).find((c) => c.conversationId === "trip")?.title).toBe("Lisbon in May");
    await expect.poll(() => page.title()).toBe("Lisbon in May · chatlog");
    // A later message does not take the name back.
    await send(page, "And a hotel?");
    await waitForIdle(page);
    await page.reload();
    await entry(page, "trip").locator(".conversation-title").getByText("Lisbon in May").waitFor();
    // Escape leaves a rename without saving.
    await entry(page, "trip").hover();
    await entry(page, "trip")
      .getByRole("button", { name: /^Rename/ })
      .click();
    await entry(page, "trip").getByRole("textbox", { name: "Conversation title" }).fill("Not this");
    await entry(page, "trip").getByRole("textbox", { name: "Conversation title" }).press("Escape");
    expect((await listed()).find((c) => c.conversationId === "trip")?.title).toBe("Lisbon in May");
    await page.close();
  });

  it("deletes from the sidebar after a confirm step; the deleted conversation's address says it is gone", async () => {
    const page = await h.chrome.browser.newPage();
    await page.goto(`${h.server.url}/c/leeks`);
    await page.locator(".message-assistant").first().waitFor();
    const leeks = entry(page, "leeks");
    await leeks.hover();
    await leeks.getByRole("button", { name: /^Delete/ }).click();
    // Asked first; cancelling keeps it.
    const confirm = leeks.getByRole("group", { name: "Confirm delete" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect((await listed()).map((c) => c.conversationId)).toContain("leeks");

    await leeks.hover();
    await leeks.getByRole("button", { name: /^Delete/ }).click();
    await confirm.getByRole("button", { name: "Delete" }).click();
    await leeks.waitFor({ state: "detached" });
    expect((await listed()).map((c) => c.conversationId)).not.toContain("leeks");
    const events = await h.server.api("/v1/conversations/leeks/events");
    expect(events.status).toBe(404);
    // The open conversation was the deleted one: the page moved to a new one.
    await page.waitForURL(`${h.server.url}/`);

    await page.goto(`${h.server.url}/c/leeks`);
    await page.getByRole("heading", { name: "This conversation is gone" }).waitFor();
    await expect(page.getByRole("textbox", { name: "Message", exact: true }).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Start a new conversation" }).click();
    await page.waitForURL(`${h.server.url}/`);
    await page.getByRole("textbox", { name: "Message", exact: true }).waitFor();
    await page.close();
  });

  it("has a favicon", async () => {
    const ico = await fetch(new URL("/favicon.ico", h.server.url));
    expect(ico.status).toBe(200);
    expect(ico.headers.get("content-type")).toBe("image/x-icon");
    const bytes = new Uint8Array(await ico.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO header
    const svg = await fetch(new URL("/favicon.svg", h.server.url));
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
  });
});
