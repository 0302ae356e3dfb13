import type { MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";

const ALWAYS_JSON = new Set(["POST", "PUT", "PATCH"]);

function isJsonMediaType(header: string | undefined): boolean {
  const type = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function hasBody(contentLength: string | undefined, transferEncoding: string | undefined): boolean {
  return transferEncoding !== undefined || (contentLength !== undefined && contentLength.trim() !== "0");
}

/**
 * State-changing requests must say `Content-Type: application/json`, even with an empty body.
 * text/plain, form-urlencoded and multipart are what a plain HTML form or a no-preflight fetch
 * from another site can send; requiring JSON means such a request never reaches a route (and a
 * cross-origin JSON request needs a CORS preflight, which originGuard answers). A DELETE needs
 * the header only when it carries a body.
 */
export function requireJsonContentType(): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    const needsJson =
      ALWAYS_JSON.has(method) ||
      (method === "DELETE" && hasBody(c.req.header("content-length"), c.req.header("transfer-encoding")));
    if (needsJson && !isJsonMediaType(c.req.header("content-type"))) {
      return c.json(
        errorBody(
          "UNSUPPORTED_MEDIA_TYPE",
          `${method} requests must send Content-Type: application/json (got ${JSON.stringify((c.req.header("content-type") ?? "none").slice(0, 100))})`,
        ),
        415,
      );
    }
    await next();
  };
}
