import type { UIMessage } from "ai";

/**
 * Lays the server's newest page of messages over what the page shows: everything before the
 * page's first message is kept (older pages loaded by scrolling up), the rest is the server's.
 * When the page does not overlap what is shown (many messages arrived elsewhere), the page
 * replaces everything and `replacedAll` says the older cursor must be reset too.
 */
export function mergeLatestPage(
  shown: UIMessage[],
  page: UIMessage[],
): { messages: UIMessage[]; replacedAll: boolean } {
  const first = page[0];
  if (first === undefined) return { messages: shown, replacedAll: false };
  const at = shown.findIndex((m) => m.id === first.id);
  if (at === -1) return { messages: page, replacedAll: true };
  return { messages: [...shown.slice(0, at), ...page], replacedAll: false };
}

/** Older messages loaded by scrolling up go before the shown ones, without repeating any. */
export function prependOlder(shown: UIMessage[], older: UIMessage[]): UIMessage[] {
  const ids = new Set(shown.map((m) => m.id));
  return [...older.filter((m) => !ids.has(m.id)), ...shown];
}

export function sameMessages(a: UIMessage[], b: UIMessage[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}
