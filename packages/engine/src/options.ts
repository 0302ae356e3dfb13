import { ChatlogError, type RepositoryOptions } from "@chatlog/core";

function positive(value: unknown, name: string, integer: boolean): void {
  if (value === undefined) return;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= 0 &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      `${name} must be a non-negative ${integer ? "integer" : "number"}`,
      {
        details: { field: name },
      },
    );
  }
}

/** Rejects option values that would silently do something other than asked. */
export function validateRepositoryOptions(options: RepositoryOptions): void {
  const r = options.retention ?? {};
  positive(r.maxAgeHours, "retention.maxAgeHours", false);
  positive(r.maxMessages, "retention.maxMessages", true);
  positive(r.maxSessions, "retention.maxSessions", true);
  positive(r.cleanupIntervalMinutes, "retention.cleanupIntervalMinutes", false);
  const s = options.savedSessions ?? {};
  positive(s.retentionDays, "savedSessions.retentionDays", false);
  positive(s.maxSaved, "savedSessions.maxSaved", true);
  positive(options.clearTriggersBeforeFullWipe, "clearTriggersBeforeFullWipe", true);
  if (options.clearTriggersBeforeFullWipe === 0) {
    throw new ChatlogError("INVALID_ARGUMENT", "clearTriggersBeforeFullWipe must be at least 1");
  }
}

const KNOWN: Record<string, ReadonlySet<string>> = {
  retention: new Set(["maxAgeHours", "maxMessages", "maxSessions", "cleanupIntervalMinutes"]),
  savedSessions: new Set(["enabled", "retentionDays", "maxSaved"]),
};
const COMMON_KEYS = [
  "migrate",
  "retention",
  "savedSessions",
  "clearTriggersBeforeFullWipe",
  "onCorruptRow",
  "onBackgroundError",
] as const;

/** Longest busy timeout accepted: anything longer is almost certainly a unit mistake. */
const MAX_BUSY_TIMEOUT_MS = 600_000;

function unknownKey(where: string, key: string, known: Iterable<string>): ChatlogError {
  return new ChatlogError(
    "INVALID_ARGUMENT",
    `unknown option ${where}${key} (known: ${[...known].join(", ")})`,
    { details: { field: `${where}${key}` } },
  );
}

/**
 * Rejects misspelled keys (a `retension` would otherwise silently keep everything forever) and
 * option values out of range, for the options of a driver that also takes `driverKeys`.
 */
export function assertKnownOptions(options: object, driverKeys: readonly string[]): void {
  if (typeof options !== "object" || options === null) {
    throw new ChatlogError("INVALID_ARGUMENT", "options must be an object");
  }
  const top = new Set<string>([...COMMON_KEYS, ...driverKeys]);
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (record[key] === undefined) continue;
    if (!top.has(key)) throw unknownKey("", key, top);
    const nested = KNOWN[key];
    if (nested === undefined) continue;
    const value = record[key];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new ChatlogError("INVALID_ARGUMENT", `${key} must be an object`, { details: { field: key } });
    }
    for (const inner of Object.keys(value)) {
      if (!nested.has(inner)) throw unknownKey(`${key}.`, inner, nested);
    }
  }
  if (record.migrate !== undefined && typeof record.migrate !== "boolean") {
    throw new ChatlogError("INVALID_ARGUMENT", "migrate must be a boolean", {
      details: { field: "migrate" },
    });
  }
  for (const key of ["onCorruptRow", "onBackgroundError"]) {
    if (record[key] !== undefined && typeof record[key] !== "function") {
      throw new ChatlogError("INVALID_ARGUMENT", `${key} must be a function`, { details: { field: key } });
    }
  }
  const enabled = (record.savedSessions as { enabled?: unknown } | undefined)?.enabled;
  if (enabled !== undefined && typeof enabled !== "boolean") {
    throw new ChatlogError("INVALID_ARGUMENT", "savedSessions.enabled must be a boolean", {
      details: { field: "savedSessions.enabled" },
    });
  }
  const busy = record.busyTimeoutMs;
  if (busy !== undefined) {
    positive(busy, "busyTimeoutMs", true);
    if ((busy as number) > MAX_BUSY_TIMEOUT_MS) {
      throw new ChatlogError("INVALID_ARGUMENT", `busyTimeoutMs must be at most ${MAX_BUSY_TIMEOUT_MS}`, {
        details: { field: "busyTimeoutMs" },
      });
    }
  }
}
