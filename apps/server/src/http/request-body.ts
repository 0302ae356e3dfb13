import type { Context } from "hono";
import { HttpError } from "./errors.ts";

/**
 * The request body as a JSON object. An empty body counts as `{}` only when `optional`;
 * anything else that is not a JSON object is a 400 with a code saying why.
 */
export async function readJsonObject(c: Context, optional = false): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") {
    if (optional) return {};
    throw new HttpError(400, "INVALID_JSON", "the request body must be a JSON object");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "INVALID_JSON", "the request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, "INVALID_JSON", "the request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Rejects fields the route does not know, so a typo is an error rather than silently ignored. */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new HttpError(
      400,
      "INVALID_ARGUMENT",
      `unknown field(s): ${unknown.join(", ")} (allowed: ${allowed.join(", ")})`,
    );
  }
}

/** A non-negative integer query parameter, or undefined when absent. */
export function queryInt(c: Context, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === "") return undefined;
  if (!/^\d+$/.test(text) || Number(text) > max) {
    throw new HttpError(400, "INVALID_ARGUMENT", `${name} must be an integer between 0 and ${max}`);
  }
  return Number(text);
}
