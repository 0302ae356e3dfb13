import type { Context } from "hono";
import { HttpError } from "./errors.ts";
import { queryInt } from "./request-body.ts";

/** Default and largest page of a list route; no route returns an unbounded list. */
export interface PageSize {
  default: number;
  max: number;
}

/** Pages of events (/events, /history, /saved/{id}). */
export const EVENT_PAGE: PageSize = { default: 200, max: 1000 };
/** Pages of conversations or saved sessions. */
export const LIST_PAGE: PageSize = { default: 50, max: 1000 };

/** The `limit` query parameter: 1..max, the default when absent, 400 otherwise. */
export function pageLimit(c: Context, size: PageSize): number {
  const limit = queryInt(c, "limit", size.max) ?? size.default;
  if (limit === 0) throw new HttpError(400, "INVALID_ARGUMENT", "limit must be at least 1");
  return limit;
}

/** An opaque cursor query parameter: a bounded string, or undefined when absent. */
export function queryCursor(c: Context): string | undefined {
  const cursor = c.req.query("cursor");
  if (cursor === undefined || cursor === "") return undefined;
  if (cursor.length > 8192)
    throw new HttpError(400, "INVALID_ARGUMENT", "cursor is not a cursor this server returned");
  return cursor;
}
