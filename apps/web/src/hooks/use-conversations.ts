import { useCallback, useEffect, useRef, useState } from "react";
import { isNetworkError, onReachability } from "../api/connection.ts";
import {
  type ConversationSummary,
  deleteConversation,
  listConversations,
  renameConversation,
} from "../api/conversations.ts";
import { UnauthorizedError } from "../api/http.ts";

const PAGE_SIZE = 30;

export interface ConversationsState {
  conversations: ConversationSummary[];
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  loadMore: () => void;
  refresh: () => void;
  /** Renames on the server, then shows the stored title. */
  rename: (conversationId: string, title: string) => Promise<void>;
  /** Deletes on the server, then drops it from the list. */
  remove: (conversationId: string) => Promise<void>;
}

/**
 * The sidebar's list, newest activity first, paged by the server's cursor. `refresh` reloads
 * the first page and keeps what "Load more" had added past it, so the list does not shrink
 * while a conversation moves to the top.
 */
export function useConversations(enabled: boolean): ConversationsState {
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pagesLoaded = useRef(0);
  const latest = useRef(0);

  const load = useCallback(async (from: string | null) => {
    const request = ++latest.current;
    setLoading(true);
    try {
      const page = await listConversations({ limit: PAGE_SIZE, cursor: from });
      if (request !== latest.current) return; // a newer load answers instead
      const fresh = new Set(page.conversations.map((c) => c.conversationId));
      setConversations((previous) =>
        from === null
          ? [...page.conversations, ...previous.slice(PAGE_SIZE).filter((c) => !fresh.has(c.conversationId))]
          : [...previous.filter((c) => !fresh.has(c.conversationId)), ...page.conversations],
      );
      if (from !== null || pagesLoaded.current <= 1) setCursor(page.nextCursor);
      pagesLoaded.current = from === null ? Math.max(1, pagesLoaded.current) : pagesLoaded.current + 1;
      setError(null);
    } catch (caught) {
      if (request !== latest.current) return;
      // A 401 brings up the token form; it is not a list error.
      if (caught instanceof UnauthorizedError) return;
      setError(isNetworkError(caught) ? "the server can’t be reached right now" : (caught as Error).message);
    } finally {
      if (request === latest.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (enabled) void load(null);
  }, [enabled, load]);
  // The server is back after being away: the list may have changed meanwhile.
  useEffect(
    () =>
      onReachability((reachable) => {
        if (reachable && enabled) void load(null);
      }),
    [enabled, load],
  );

  const refresh = useCallback(() => void load(null), [load]);
  const loadMore = useCallback(() => {
    if (cursor !== null) void load(cursor);
  }, [cursor, load]);
  const rename = useCallback(
    async (conversationId: string, title: string) => {
      await renameConversation(conversationId, title);
      await load(null); // what the server stored is what the list shows
    },
    [load],
  );
  const remove = useCallback(
    async (conversationId: string) => {
      await deleteConversation(conversationId);
      setConversations((previous) => previous.filter((c) => c.conversationId !== conversationId));
      void load(null);
    },
    [load],
  );
  return { conversations, hasMore: cursor !== null, loading, error, loadMore, refresh, rename, remove };
}
