/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Returns the path of the first part of `value` that would not round-trip through JSON
 * (undefined inside arrays, functions, symbols, bigints, non-finite numbers, class instances,
 * cycles), or null when the whole value is plain JSON. Objects' undefined properties are
 * allowed because JSON.stringify drops them, as callers expect.
 */
export function findNonJson(value: unknown, path = "$", seen: Set<object> = new Set()): string | null {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return null;
    case "number":
      return Number.isFinite(value) ? null : path;
    case "object": {
      if (seen.has(value)) return path;
      seen.add(value);
      let bad: string | null = null;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && bad === null; i++) {
          bad = value[i] === undefined ? `${path}[${i}]` : findNonJson(value[i], `${path}[${i}]`, seen);
        }
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) return path;
        for (const key of Object.keys(value)) {
          const item = (value as Record<string, unknown>)[key];
          if (item === undefined) continue;
          bad = findNonJson(item, `${path}.${key}`, seen);
          if (bad !== null) break;
        }
      }
      seen.delete(value);
      return bad;
    }
    default:
      return path;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
