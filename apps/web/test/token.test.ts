import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, type LaunchedBrowser, launchChromium } from "./helpers/chromium.ts";
import { moreServers } from "./helpers/harness.ts";
import { conversationIdOf, send, shownMessages, waitForIdle, watchRequests } from "./helpers/page.ts";
import type { WebServer } from "./helpers/server.ts";
import { storedMessages } from "./helpers/stored.ts";
import { postTurn } from "./helpers/turns.ts";

const TOKEN = "s3cret-token-for-the-page";

describe.runIf(chromiumAvailable())("the API token", () => {
  let chrome: LaunchedBrowser;
  beforeAll(async () => {
    chrome = await launchChromium();
  });
  afterAll(async () => {
    await chrome?.close();
  });
  const servers = moreServers();

  it("is asked for once when the server has one, refused when wrong, kept in the browser", async () => {
    const server = await servers.start({ CHATLOG_API_TOKEN: TOKEN });
    await postTurn(server, "guarded", "hello");
    expect((await fetch(`${server.url}/v1/conversations`)).status).toBe(401);
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);

    const input = page.getByLabel("API token");
    await input.waitFor();
    // The form is all there is, and its field has the focus.
    await expect(page.getByRole("navigation", { name: "Conversations" }).count()).resolves.toBe(0);
    await expect(input.evaluate((el) => el === document.activeElement)).resolves.toBe(true);

    await input.fill("wrong-token");
    await input.press("Enter");
    await page.getByText("The server refused that token").waitFor();

    await page.getByLabel("API token").fill(TOKEN);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator('nav a[href="/c/guarded"]').waitFor();
    await expect(page.evaluate(() => localStorage.getItem("chatlog.apiToken"))).resolves.toBe(TOKEN);

    // Entered once: a reload, and a second tab, go straight to the conversations.
    await page.reload();
    await page.locator('nav a[href="/c/guarded"]').waitFor();
    await expect(page.getByLabel("API token").count()).resolves.toBe(0);
    const second = await context.newPage();
    await second.goto(`${server.url}/c/guarded`);
    await second.locator('nav a[href="/c/guarded"]').waitFor();
    await expect(second.getByLabel("API token").count()).resolves.toBe(0);

    // A token the server no longer takes (expired, rotated) asks for it again, saying why.
    await page.evaluate(() => localStorage.setItem("chatlog.apiToken", "expired-token"));
    await page.reload();
    await page.getByText("The server refused that token").waitFor();
    await page.getByLabel("API token").fill(TOKEN);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator('nav a[href="/c/guarded"]').waitFor();

    // Forgetting it brings the form back.
    await page.getByRole("button", { name: "Forget API token" }).click();
    await page.getByLabel("API token").waitFor();
    await context.close();
  });

  it("a token that stops working mid-session is asked for again, and the message being sent stays in the box", async () => {
    const first = await servers.start({ CHATLOG_API_TOKEN: TOKEN });
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    const requests = watchRequests(page);
    await page.goto(first.url);
    await page.getByLabel("API token").fill(TOKEN);
    await page.getByRole("button", { name: "Continue" }).click();
    await send(page, "the first message");
    await page.locator(".message-assistant").getByText("You said: the first message").waitFor();
    await waitForIdle(page);
    const conversationId = conversationIdOf(page);
    const box = page.getByRole("textbox", { name: "Message", exact: true });
    const stored = async (server: WebServer) =>
      (await storedMessages(server, conversationId)).map((m) => m.role);

    // The server restarts (same address, same database) with another token; the page does not
    // know (it is quiet: no read after the reply is left to notice the restart first).
    await requests.settled();
    const port = new URL(first.url).port;
    await first.kill();
    const rotated = "the-rotated-token";
    const second = await servers.start(
      { CHATLOG_API_TOKEN: rotated, PORT: port },
      { databaseFile: first.databaseFile },
    );
    const typed = "written before the token changed,\nwith a second line";
    await box.fill(typed);
    await box.press("Enter");
    await page.getByText("The server refused that token").waitFor();
    expect(await stored(second)).toEqual(["user", "assistant"]); // refused: nothing written

    await page.getByLabel("API token").fill(rotated);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator(".message-assistant").getByText("You said: the first message").waitFor();
    await expect(box.inputValue()).resolves.toBe(typed);
    expect(await shownMessages(page)).toHaveLength(2); // not shown as sent either
    await box.press("Enter");
    await page.locator(".message-assistant").nth(1).getByText("You said: written before").waitFor();
    await waitForIdle(page);
    await expect(box.inputValue()).resolves.toBe("");
    expect(await stored(second)).toEqual(["user", "assistant", "user", "assistant"]);

    // The stored token edited while the page is open (an expired one): the same.
    await requests.settled();
    await page.evaluate(() => localStorage.setItem("chatlog.apiToken", "expired-token"));
    await send(page, "and a third one");
    await page.getByText("The server refused that token").waitFor();
    await page.getByLabel("API token").fill(rotated);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator(".message-assistant").nth(1).waitFor();
    await expect(box.inputValue()).resolves.toBe("and a third one");
    await box.press("Enter");
    await page.locator(".message-assistant").nth(2).getByText("You said: and a third one").waitFor();
    await waitForIdle(page);
    expect(await stored(second)).toHaveLength(6);
    expect(await shownMessages(page)).toHaveLength(6);
    await context.close();
  });

  it("is never asked for when the server has none", async () => {
    const server = await servers.start();
    await postTurn(server, "open", "hello");
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('nav a[href="/c/open"]').waitFor();
    await expect(page.getByLabel("API token").count()).resolves.toBe(0);
    await expect(page.getByLabel("Message", { exact: true }).count()).resolves.toBe(1);
    await context.close();
  });
});
