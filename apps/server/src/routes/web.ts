import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "hono";
import { Hono } from "hono";

/**
 * The chat page's folder. In the repository (sources or dist/ alike) it is apps/web/dist, where
 * `pnpm --filter @chatlog/web build` writes it. An installed @chatlog/server has no apps/web
 * beside it; its build copied the page into the package (web/, scripts/copy-web.mjs).
 */
function findWebDir(): string {
  const repository = fileURLToPath(new URL("../../../web/dist", import.meta.url));
  const packaged = fileURLToPath(new URL("../../web", import.meta.url));
  const inRepository = existsSync(join(repository, "..", "package.json"));
  return inRepository || !existsSync(packaged) ? repository : packaged;
}

export const DEFAULT_WEB_DIR = findWebDir();

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

// Paths the page never owns: an unknown /v1 or /api route stays a JSON 404, not the page.
const API_PREFIXES = ["/v1/", "/api/"];

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chatlog: page not built</title></head>
<body><h1>The chat page is not built yet</h1>
<p>Build it once with <code>pnpm --filter @chatlog/web build</code> (or run
<code>bash scripts/bootstrap.sh</code>, which does it), then reload this page.
The API under <code>/v1</code> and <code>/api</code> works without it.</p></body></html>
`;

/**
 * The built chat page (apps/web/dist) as static files. The server knows the page only as a
 * folder of files: it imports nothing from apps/web. Any GET that names no file and is not an
 * API path answers index.html, so the page's own routes (/c/<id>) survive a reload. Vite puts
 * content-hashed names under assets/, which may be cached for good; index.html must not be.
 * The folder is looked at on every request, so building while the server runs needs no restart.
 */
export function webRoutes(root: string = DEFAULT_WEB_DIR): Hono {
  const base = resolve(root);
  const app = new Hono();

  async function fileAt(path: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return null;
    }
    if (decoded.includes("\0")) return null;
    const full = resolve(join(base, decoded));
    // No way out of the folder (../, encoded or not).
    if (full !== base && !full.startsWith(base + sep)) return null;
    try {
      return (await stat(full)).isFile() ? full : null;
    } catch {
      return null;
    }
  }

  async function send(c: Context, file: string, cache: string): Promise<Response> {
    const body = await readFile(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const headers = {
      "content-type": type,
      "content-length": String(body.byteLength),
      "cache-control": cache,
      "x-content-type-options": "nosniff",
    };
    return c.req.method === "HEAD" ? c.body(null, 200, headers) : c.body(new Uint8Array(body), 200, headers);
  }

  app.on(["GET", "HEAD"], "*", async (c, next) => {
    const path = c.req.path;
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix))) return next();
    const index = await fileAt("/index.html");
    if (index === null) return c.html(NOT_BUILT, 503, { "cache-control": "no-store" });
    if (path !== "/" && path !== "/index.html") {
      const file = await fileAt(path);
      if (file !== null) {
        const immutable = path.startsWith("/assets/");
        return send(c, file, immutable ? "public, max-age=31536000, immutable" : "no-cache");
      }
      // A missing asset is a 404; any other path is a page route (/c/<id>) for the app to resolve.
      if (path.startsWith("/assets/") || /^\/[^/]+\.[a-z0-9]+$/i.test(path)) return next();
    }
    return send(c, index, "no-cache");
  });
  return app;
}
