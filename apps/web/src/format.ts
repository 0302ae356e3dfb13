const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * When a conversation was last active, as people say it: "just now", "5 min ago", "3 hr ago",
 * "yesterday", then a date ("3 Dec", with the year when it is not this one).
 */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const when = new Date(iso);
  const ms = when.getTime();
  if (Number.isNaN(ms)) return iso;
  const ago = now - ms;
  const words = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });
  if (ago < MINUTE) return "just now";
  if (ago < HOUR) return words.format(-Math.floor(ago / MINUTE), "minute");
  if (ago < DAY) return words.format(-Math.floor(ago / HOUR), "hour");
  if (ago < 2 * DAY) return words.format(-1, "day");
  const sameYear = when.getFullYear() === new Date(now).getFullYear();
  return when.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}

/** The full local date and time, for a tooltip beside a relative one. */
export function formatFull(iso: string): string {
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? iso : when.toLocaleString();
}

/** A byte count as people read it: "900 bytes", "64 KB", "1.5 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/** Tool input and output as readable JSON. */
export function formatJson(value: unknown): string {
  if (value === undefined) return "";
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
