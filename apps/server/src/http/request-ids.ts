import { randomUUID } from "node:crypto";
import { idProblem } from "@chatlog/core";
import type { MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";

/** A correlation id we echo as it came: visible ASCII, bounded. Anything else is replaced. */
const ECHOABLE_REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * The X-Request-Id of a request: the client's own when it is a plain token that can go back
 * into a response header as it is, else a fresh uuid. (A correlation id is not worth refusing a
 * request over; the log line has the one we used.)
 */
export function correlationId(header: string | undefined): string {
  return header !== undefined && ECHOABLE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Every id a client puts in a path or an Idempotency-Key header, checked before any route runs:
 * each decoded path segment must be an acceptable id (printable, bounded; see ids.ts) and
 * valid percent-encoded UTF-8. The Idempotency-Key header must be visible ASCII as well (header
 * bytes arrive as Latin-1, so anything else would be stored garbled); other ids go in the body.
 * Body ids are the routes' to check.
 */
export function checkRequestIds(): MiddlewareHandler {
  return async (c, next) => {
    const rawPath = new URL(c.req.url).pathname;
    for (const raw of rawPath.split("/")) {
      if (raw === "") continue;
      let segment: string;
      try {
        segment = decodeURIComponent(raw);
      } catch {
        return c.json(errorBody("INVALID_ARGUMENT", "the path is not valid percent-encoded UTF-8"), 400);
      }
      const problem = idProblem(segment);
      if (problem !== null) return c.json(errorBody("INVALID_ARGUMENT", `a path segment ${problem}`), 400);
    }
    const key = c.req.header("idempotency-key");
    if (key !== undefined && key !== "") {
      const problem = /^[\x20-\x7e]*$/.test(key)
        ? idProblem(key)
        : "must be visible ASCII (send other ids as the body's requestId)";
      if (problem !== null) return c.json(errorBody("INVALID_ARGUMENT", `Idempotency-Key ${problem}`), 400);
    }
    await next();
  };
}
