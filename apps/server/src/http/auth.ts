import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** `Authorization: Bearer <token>` required; compared in constant time (over hashes, so lengths may differ). */
export function requireBearer(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="chatlog"');
      return c.json(errorBody("UNAUTHORIZED", "missing or wrong bearer token"), 401);
    }
    await next();
  };
}
