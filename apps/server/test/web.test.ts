import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { webRoutes } from "../src/routes/web.ts";

// webRoutes on a real socket, over a folder laid out as Vite builds apps/web/dist.
let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

async function serveFolder(files: Record<string, string> | null): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "chatlog-web-route-"));
  const root = join(dir, "dist");
  for (const [path, body] of Object.entries(files ?? {})) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), body);
  }
  writeFileSync(join(dir, "secret.txt"), "outside the folder");
  const app = new Hono();
  app.get("/v1/known", (c) => c.json({ ok: true }));
  app.route("/", webRoutes(root));
  app.notFound((c) => c.json({ error: { code: "NOT_FOUND", message: "no route" } }, 404));
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  dispose = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const BUILT = {
  "index.html": "<!doctype html><title>chatlog</title>",
  "assets/index-abc123.js": "console.log(1)",
  "assets/index-abc123.css": "body{}",
  "favicon.svg": "<svg/>",
};

describe("the chat page route", () => {
  it("serves index.html at / with an HTML type and no long caching", async () => {
    const url = await serveFolder(BUILT);
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toContain("<title>chatlog</title>");
  });

  it("serves hashed assets with their content types, cached for good", async () => {
    const url = await serveFolder(BUILT);
    const js = await fetch(`${url}/assets/index-abc123.js`);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect(await js.text()).toBe("console.log(1)");
    const css = await fetch(`${url}/assets/index-abc123.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const svg = await fetch(`${url}/favicon.svg`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers the page's own routes with index.html, so a reload of /c/<id> works", async () => {
    const url = await serveFolder(BUILT);
    for (const path of ["/c/demo", "/c/with.dot", "/c/a%20b"]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain("<title>chatlog</title>");
    }
  });

  it("leaves missing files and API paths as 404s (JSON for the API)", async () => {
    const url = await serveFolder(BUILT);
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/robots.txt`)).status).toBe(404);
    const api = await fetch(`${url}/v1/unknown`);
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toContain("application/json");
    expect((await fetch(`${url}/api/chat/x/nothing`)).status).toBe(404);
    expect(await (await fetch(`${url}/v1/known`)).json()).toEqual({ ok: true });
  });

  it("never serves a file outside the folder", async () => {
    const url = await serveFolder(BUILT);
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/%00"]) {
      const res = await fetch(`${url}${path}`);
      expect(await res.text(), path).not.toContain("outside the folder");
    }
  });

  it("HEAD answers the headers without a body", async () => {
    const url = await serveFolder(BUILT);
    const res = await fetch(`${url}/assets/index-abc123.js`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String("console.log(1)".length));
    expect(await res.text()).toBe("");
  });

  it("says how to build the page when it is not built, and the API still answers", async () => {
    const url = await serveFolder(null);
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("pnpm --filter @chatlog/web build");
    expect((await fetch(`${url}/v1/known`)).status).toBe(200);
  });
});
