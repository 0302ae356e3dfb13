import type { Context } from "hono";

/**
 * Sets a header on the response a handler produced, whether it came from `c.json()` or was
 * built by hand (the SSE route returns its own Response, which `c.header()` set before
 * `next()` never reaches). A response with immutable headers is copied first.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}

/** Adds `value` to a comma-list header such as Vary, once. */
export function appendResponseHeader(c: Context, name: string, value: string): void {
  const current = c.res.headers.get(name);
  const items = current ? current.split(",").map((item) => item.trim().toLowerCase()) : [];
  if (items.includes(value.toLowerCase())) return;
  setResponseHeader(c, name, current ? `${current}, ${value}` : value);
}

/**
 * A client-supplied text as a header value: percent-encoded like encodeURIComponent, so any id
 * (emoji, `%`, quotes) fits in a header and decodeURIComponent gives it back exactly. The text
 * must be well-formed UTF-16; ids are checked for that before they get here.
 */
export function encodeHeaderValue(text: string): string {
  return encodeURIComponent(text);
}
