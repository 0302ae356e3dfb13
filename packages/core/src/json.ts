/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

// In unicode mode a surrogate matches only when it is not half of a pair.
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `text` is well-formed UTF-16 (no lone surrogate), i.e. storable as UTF-8 unchanged. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function textProblem(text: string, path: string): JsonProblem | null {
  if (!isWellFormedText(text)) return { path, reason: "lone_surrogate" };
  return text.includes("\u0000") ? { path, reason: "nul" } : null;
}

/** Deepest nesting of arrays and objects accepted in stored JSON (extra, raw, parts, tool arguments). */
export const MAX_JSON_DEPTH = 64;

/** Why a value cannot be stored as JSON: found by `inspectJson`. */
export interface JsonProblem {
  /** Where, as `$.a[2].b`. */
  path: string;
  /**
   * `not_json`: would not round-trip (undefined in an array, a function, a class instance, a
   * cycle, a non-finite number); `too_deep`: nested deeper than MAX_JSON_DEPTH (SQLite's JSON
   * functions and every reader's recursion have limits; nothing legitimate nests this deep);
   * `lone_surrogate`: a string that is not well-formed UTF-16, which cannot be stored as UTF-8;
   * `nul`: a string holding U+0000, which Postgres cannot read out of JSON as text (refused on
   * every driver, so that every database holds the same histories).
   */
  reason: "not_json" | "too_deep" | "lone_surrogate" | "nul";
}

/**
 * The first part of `value` that cannot be stored and read back unchanged, or null when the whole
 * value is plain, well-formed, reasonably nested JSON. Objects' undefined properties are allowed
 * because JSON.stringify drops them, as callers expect. Never recurses deeper than
 * MAX_JSON_DEPTH, so hostile nesting cannot overflow the stack.
 */
export function inspectJson(
  value: unknown,
  path = "$",
  depth = 0,
  seen: Set<object> = new Set(),
): JsonProblem | null {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
      return textProblem(value, path);
    case "boolean":
      return null;
    case "number":
      return Number.isFinite(value) ? null : { path, reason: "not_json" };
    case "object": {
      if (seen.has(value)) return { path, reason: "not_json" };
      if (depth >= MAX_JSON_DEPTH) return { path, reason: "too_deep" };
      seen.add(value);
      let bad: JsonProblem | null = null;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && bad === null; i++) {
          const item = value[i];
          bad =
            item === undefined
              ? { path: `${path}[${i}]`, reason: "not_json" }
              : inspectJson(item, `${path}[${i}]`, depth + 1, seen);
        }
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) return { path, reason: "not_json" };
        for (const key of Object.keys(value)) {
          const item = (value as Record<string, unknown>)[key];
          if (item === undefined) continue;
          bad = textProblem(key, `${path}.${key}`) ?? inspectJson(item, `${path}.${key}`, depth + 1, seen);
          if (bad !== null) break;
        }
      }
      seen.delete(value);
      return bad;
    }
    default:
      return { path, reason: "not_json" };
  }
}

/** The path of the first part of `value` that `inspectJson` rejects, or null. */
export function findNonJson(value: unknown, path = "$"): string | null {
  return inspectJson(value, path)?.path ?? null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
