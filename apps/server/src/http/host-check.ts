import type { MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";

/** Whether the server binds a loopback address only (then only local names may reach it). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/**
 * DNS rebinding defence for a loopback-bound server. A page on evil.example whose name is
 * rebound to 127.0.0.1 talks to this server "same-origin" from the browser's point of view; the
 * one thing it cannot change is the Host header, which names evil.example. So when the server
 * listens on loopback, Host must be a loopback name with the server's port (port-less only on
 * port 80). `port()` is read per request because PORT=0 picks the port after the app is built.
 */
export function loopbackHostCheck(bindHost: string, port: () => number): MiddlewareHandler {
  const names = new Set(["localhost", "127.0.0.1", "[::1]"]);
  const bound = bindHost.toLowerCase();
  names.add(bound.includes(":") && !bound.startsWith("[") ? `[${bound}]` : bound);
  return async (c, next) => {
    const host = (c.req.header("host") ?? "").toLowerCase();
    const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
    const name = match?.[1] ?? "";
    const hostPort = match?.[2] === undefined ? 80 : Number(match[2]);
    if (!names.has(name) || hostPort !== port()) {
      return c.json(
        errorBody(
          "FORBIDDEN_HOST",
          `this server listens on loopback and answers only to localhost, 127.0.0.1 or [::1] on port ${port()}`,
        ),
        403,
      );
    }
    await next();
  };
}
