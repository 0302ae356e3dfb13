import { useEffect, useState } from "react";
import { isNetworkError, useReachable } from "../api/connection.ts";
import { UnauthorizedError } from "../api/http.ts";
import { loadMessages, type MessagePage } from "../api/messages.ts";
import { Conversation, MESSAGE_PAGE_SIZE } from "./conversation.tsx";

interface Props {
  conversationId: string;
  /** A conversation this page just made up: nothing to load. */
  fresh: boolean;
  /** An id this page made up: nothing stored under it means nothing sent yet, not a deleted one. */
  madeHere: boolean;
  onActivity: (conversationId: string) => void;
  /** Start a new conversation (offered when this one is gone). */
  onNew: () => void;
}

type Loaded = { id: string; page: MessagePage } | { id: string; error: string; unreachable: boolean };

const EMPTY: MessagePage = { messages: [], olderCursor: null };

/** Loads the newest page of a conversation, then hands it to useChat as its initial messages. */
export function ChatPane({ conversationId, fresh, madeHere, onActivity, onNew }: Props) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the retry trigger
  useEffect(() => {
    if (fresh) return;
    const abort = new AbortController();
    loadMessages(conversationId, { limit: MESSAGE_PAGE_SIZE }, abort.signal).then(
      (page) => setLoaded({ id: conversationId, page }),
      (error: Error) => {
        if (abort.signal.aborted || error instanceof UnauthorizedError) return;
        setLoaded({ id: conversationId, error: error.message, unreachable: isNetworkError(error) });
      },
    );
    return () => abort.abort();
  }, [conversationId, fresh, attempt]);

  // Failed because the server was away: load again as soon as it is back.
  const reachable = useReachable();
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the server comes back
  useEffect(() => {
    if (reachable && loaded !== null && "error" in loaded) setAttempt((n) => n + 1);
  }, [reachable]);

  if (fresh)
    return (
      <Conversation
        key={conversationId}
        conversationId={conversationId}
        initial={EMPTY}
        onActivity={onActivity}
      />
    );
  if (loaded === null || loaded.id !== conversationId)
    return (
      <p className="pane-loading" role="status">
        Loading conversation…
      </p>
    );
  if ("error" in loaded)
    return (
      <div className="pane-error" role="alert">
        <p>
          {loaded.unreachable
            ? "The server can’t be reached right now; this conversation loads as soon as it is back."
            : `Could not load this conversation: ${loaded.error}`}
        </p>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          Retry
        </button>
      </div>
    );
  // Nothing stored under an address that names a conversation: it was deleted (or never was).
  if (!madeHere && loaded.page.messages.length === 0 && loaded.page.olderCursor === null)
    return (
      <div className="pane-gone" role="alert">
        <h1>This conversation is gone</h1>
        <p>It was deleted, or this address never named one. Nothing of it is stored.</p>
        <button type="button" className="new-conversation" onClick={onNew}>
          Start a new conversation
        </button>
      </div>
    );
  return (
    <Conversation
      key={conversationId}
      conversationId={conversationId}
      initial={loaded.page}
      onActivity={onActivity}
    />
  );
}
