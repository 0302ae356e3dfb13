import type { ConversationsState } from "../hooks/use-conversations.ts";
import { useNow } from "../hooks/use-now.ts";
import { ConversationItem } from "./conversation-item.tsx";

interface Props {
  id: string;
  list: ConversationsState;
  currentId: string | null;
  open: boolean;
  hasToken: boolean;
  onOpen: (conversationId: string) => void;
  onNew: () => void;
  onDeleted: (conversationId: string) => void;
  onForgetToken: () => void;
}

/** Conversations, newest activity first, with "Load more" for the next page. */
export function Sidebar({
  id,
  list,
  currentId,
  open,
  hasToken,
  onOpen,
  onNew,
  onDeleted,
  onForgetToken,
}: Props) {
  const now = useNow();
  return (
    <nav id={id} className={open ? "sidebar open" : "sidebar"} aria-label="Conversations">
      <button type="button" className="new-conversation" onClick={onNew}>
        New conversation
      </button>
      {list.error && (
        <p role="alert" className="sidebar-error">
          Could not load conversations: {list.error}{" "}
          <button type="button" onClick={list.refresh}>
            Retry
          </button>
        </p>
      )}
      {list.conversations.length === 0 && !list.loading && !list.error && (
        <p className="sidebar-empty">No conversations yet.</p>
      )}
      <ul className="conversation-list">
        {list.conversations.map((c) => (
          <ConversationItem
            key={c.conversationId}
            conversation={c}
            current={c.conversationId === currentId}
            now={now}
            onOpen={onOpen}
            onRename={list.rename}
            onDelete={async (conversationId) => {
              await list.remove(conversationId);
              onDeleted(conversationId);
            }}
          />
        ))}
      </ul>
      {list.hasMore && (
        <button type="button" className="load-more" onClick={list.loadMore} disabled={list.loading}>
          {list.loading ? "Loading…" : "Load more"}
        </button>
      )}
      {hasToken && (
        <button type="button" className="forget-token" onClick={onForgetToken}>
          Forget API token
        </button>
      )}
    </nav>
  );
}
