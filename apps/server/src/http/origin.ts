import type { Context, MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";
import { appendResponseHeader, setResponseHeader } from "./response-headers.ts";

/** What an allowed cross-origin caller may send (the preflight answer). */
export const CORS_ALLOWED_METHODS = ["GET", "HEAD", "POST", "DELETE", "OPTIONS"] as const;
export const CORS_ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "idempotency-key",
  "x-request-id",
] as const;
/** Response headers a cross-origin script may read. */
export const CORS_EXPOSED_HEADERS = ["x-request-id", "x-chatlog-request-id"] as const;
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * Whether `origin` is the server as the request addressed it: scheme, host and port. The server
 * speaks plain HTTP, so `https://` plus its own host and port is another origin (a page served
 * over TLS by a proxy in front of it is listed in CHATLOG_CORS_ORIGINS).
 */
function isSameOrigin(c: Context, origin: string): boolean {
  const host = c.req.header("host");
  if (!host) return false;
  try {
    return new URL(origin).origin === new URL(`http://${host}`).origin;
  } catch {
    return false;
  }
}

/**
 * Cross-site request refusal and CORS. Browsers send `Origin` on every cross-origin fetch and
 * on every POST, form posts included, so a request whose Origin is neither this server nor one
 * of `allowedOrigins` comes from someone else's page and is refused (403) before it reaches a
 * route: a page cannot wipe the history or plant a turn even on a server with no token.
 * Requests without Origin (curl, SDKs, same-origin GETs, navigations) pass; auth handles them.
 *
 * For an allowed origin: preflights (OPTIONS with Access-Control-Request-Method) are answered
 * here, before auth, since browsers send them without credentials; other responses get
 * Access-Control-Allow-Origin. Every response says `Vary: Origin`, so a shared cache never hands
 * one origin's answer to another.
 */
export function originGuard(allowedOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins);
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin === undefined || isSameOrigin(c, origin)) {
      await next();
      appendResponseHeader(c, "Vary", "Origin");
      return;
    }
    if (!allowed.has(origin)) {
      c.header("Vary", "Origin");
      return c.json(
        errorBody(
          "FORBIDDEN_ORIGIN",
          `requests from origin ${JSON.stringify(origin.slice(0, 200))} are not allowed (see CHATLOG_CORS_ORIGINS)`,
        ),
        403,
      );
    }
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Allow-Methods", CORS_ALLOWED_METHODS.join(", "));
      c.header("Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS.join(", "));
      c.header("Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE_SECONDS));
      c.header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
      return c.body(null, 204);
    }
    await next();
    setResponseHeader(c, "Access-Control-Allow-Origin", origin);
    setResponseHeader(c, "Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS.join(", "));
    appendResponseHeader(c, "Vary", "Origin");
  };
}
