import { createHmac } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, type LaunchedBrowser, launchChromium } from "./helpers/chromium.ts";
import { startWebServer, type WebServer } from "./helpers/server.ts";

const SECRET = "a-page-test-hs256-secret-of-32-bytes-or-more";

/** A user's sign-in token as the app's identity provider would mint it (HS256, an hour). */
function signIn(userId: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}

/** A whole /v1 turn as `token`'s user, making the conversation theirs. */
async function turnAs(
  server: WebServer,
  token: string,
  conversationId: string,
  content: string,
): Promise<void> {
  const res = await fetch(new URL(`/v1/conversations/${conversationId}/turns`, server.url), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ content }),
  });
  if (!res.ok) throw new Error(`turn failed: ${res.status} ${await res.text()}`);
  await res.text();
}

/** The conversations the sidebar lists, as their ids. */
async function sidebar(page: Page): Promise<string[]> {
  return page
    .getByRole("navigation", { name: "Conversations" })
    .locator("li.conversation-entry")
    .evaluateAll((lis) => lis.map((li) => li.getAttribute("data-conversation-id") ?? ""));
}

const linkTo = (page: Page, id: string) => page.locator(`nav a[href="/c/${id}"]`);

async function signInOnPage(page: Page, token: string): Promise<void> {
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Continue" }).click();
}

describe.runIf(chromiumAvailable())("users on the page", () => {
  let chrome: LaunchedBrowser;
  let server: WebServer;
  const alice = signIn("alice");
  const bob = signIn("bob");
  beforeAll(async () => {
    chrome = await launchChromium();
    server = await startWebServer({ CHATLOG_JWT_SECRET: SECRET, CHATLOG_OFFLINE_DELAY_MS: "0" });
    await turnAs(server, alice, "alice-1", "hello from alice");
    await turnAs(server, alice, "alice-2", "more from alice");
    await turnAs(server, bob, "bob-1", "hello from bob");
  });
  afterAll(async () => {
    await server?.stop();
    await chrome?.close();
  });

  it("two users in two browser contexts each see only their own conversations", async () => {
    const contexts = await Promise.all([chrome.browser.newContext(), chrome.browser.newContext()]);
    try {
      const [pageA, pageB] = await Promise.all(contexts.map((c) => c.newPage()));
      await Promise.all([pageA!.goto(server.url), pageB!.goto(server.url)]);
      await signInOnPage(pageA!, alice);
      await signInOnPage(pageB!, bob);
      await linkTo(pageA!, "alice-1").waitFor();
      await linkTo(pageB!, "bob-1").waitFor();
      expect(await sidebar(pageA!)).toEqual(["alice-2", "alice-1"]);
      expect(await sidebar(pageB!)).toEqual(["bob-1"]);

      // A conversation Bob starts on the page is his alone.
      await pageB!.getByRole("button", { name: "New conversation" }).click();
      await pageB!.getByLabel("Message", { exact: true }).fill("bob again");
      await pageB!.getByLabel("Message", { exact: true }).press("Enter");
      await pageB!
        .locator(".message-assistant")
        .getByText(/You said: bob again/)
        .waitFor();
      await pageB!.reload();
      await linkTo(pageB!, "bob-1").waitFor();
      await expect.poll(() => sidebar(pageB!)).toHaveLength(2);
      await pageA!.reload();
      await linkTo(pageA!, "alice-1").waitFor();
      expect(await sidebar(pageA!)).toEqual(["alice-2", "alice-1"]);

      // Another user's token in the same browser shows theirs after a reload.
      await pageA!.getByRole("button", { name: "Forget API token" }).click();
      await signInOnPage(pageA!, bob);
      await pageA!.reload();
      await linkTo(pageA!, "bob-1").waitFor();
      expect((await sidebar(pageA!)).sort()).toEqual((await sidebar(pageB!)).sort());
      expect(await sidebar(pageA!)).not.toContain("alice-1");
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
  });
});
