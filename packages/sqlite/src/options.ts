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
