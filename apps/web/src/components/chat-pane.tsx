import { useEffect, useState } from "react";
import { UnauthorizedError } from "../api/http.ts";
import { loadMessages, type MessagePage } from "../api/messages.ts";
import { Conversation, MESSAGE_PAGE_SIZE } from "./conversation.tsx";

interface Props {
  conversationId: string;
  /** A conversation this page just made up: nothing to load. */
  fresh: boolean;
  onActivity: (conversationId: string) => void;
}

type Loaded = { id: string; page: MessagePage } | { id: string; error: string };

const EMPTY: MessagePage = { messages: [], olderCursor: null };

/** Loads the newest page of a conversation, then hands it to useChat as its initial messages. */
export function ChatPane({ conversationId, fresh, onActivity }: Props) {
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
        setLoaded({ id: conversationId, error: error.message });
      },
    );
    return () => abort.abort();
  }, [conversationId, fresh, attempt]);

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
        <p>Could not load this conversation: {loaded.error}</p>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          Retry
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
