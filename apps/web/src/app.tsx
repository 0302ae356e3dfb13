import { useCallback, useEffect, useRef, useState } from "react";
import { onUnauthorized } from "./api/http.ts";
import { forgetToken, readToken, saveToken } from "./api/token.ts";
import { ChatPane } from "./components/chat-pane.tsx";
import { Sidebar } from "./components/sidebar.tsx";
import { TokenForm } from "./components/token-form.tsx";
import { useConversations } from "./hooks/use-conversations.ts";
import { useRoute } from "./hooks/use-route.ts";
import { newConversationId } from "./ids.ts";

const SIDEBAR_ID = "conversations";

/**
 * The page: the sidebar and the open conversation, or the token form while the server answers
 * 401. "/" is a new conversation whose id the page makes up; its first message moves the
 * address to /c/<id> without remounting the chat, so the first reply keeps streaming.
 */
export function App() {
  const [needsToken, setNeedsToken] = useState(false);
  const [session, setSession] = useState(0); // bumped when a token is entered: reload everything
  const [route, navigate] = useRoute();
  // The new conversation's id, made up here, and the session it was made in (see `fresh`).
  const [draft, setDraft] = useState(() => ({ id: newConversationId(), session: 0 }));
  const draftId = draft.id;
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const list = useConversations(!needsToken);
  const refreshList = list.refresh;

  useEffect(() => onUnauthorized(() => setNeedsToken(true)), []);

  // The tab is named like the open conversation in the sidebar.
  const openTitle = list.conversations.find((c) => c.conversationId === route)?.title ?? null;
  useEffect(() => {
    document.title = openTitle ? `${openTitle} · chatlog` : "chatlog";
  }, [openTitle]);

  const openId = route ?? draftId;
  // The draft may have nothing stored: its page starts empty rather than saying it is gone.
  const madeHere = openId === draftId;
  // Only the draft, in the session it was made, has nothing stored to load (and is not reloaded
  // when its first message moves the address). After a token is entered the page mounts again,
  // and the draft's messages may have been stored meanwhile: it is read like any other id.
  const fresh = madeHere && draft.session === session;
  // Leaving a draft that became a conversation (its address was /c/<draft>): the next "/" is a new one.
  const previousRoute = useRef(route);
  useEffect(() => {
    if (previousRoute.current === draftId && route !== draftId)
      setDraft({ id: newConversationId(), session });
    previousRoute.current = route;
  }, [route, draftId, session]);

  const onActivity = useCallback(
    (conversationId: string) => {
      if (route === null && conversationId === draftId) navigate(conversationId);
      refreshList();
    },
    [route, draftId, navigate, refreshList],
  );

  if (needsToken)
    return (
      <TokenForm
        refused={readToken() !== null}
        onSubmit={(token) => {
          saveToken(token);
          setNeedsToken(false);
          setSession((n) => n + 1);
        }}
      />
    );

  const startNew = () => {
    setDraft({ id: newConversationId(), session });
    navigate(null);
    setSidebarOpen(false);
  };
  const open = (conversationId: string) => {
    navigate(conversationId);
    setSidebarOpen(false);
  };

  return (
    <div className="layout" key={session}>
      <header className="topbar">
        <button
          type="button"
          className="sidebar-toggle"
          aria-controls={SIDEBAR_ID}
          aria-expanded={sidebarOpen}
          onClick={() => setSidebarOpen((o) => !o)}
        >
          Conversations
        </button>
        <span className="brand">chatlog</span>
      </header>
      <Sidebar
        id={SIDEBAR_ID}
        list={list}
        currentId={route}
        open={sidebarOpen}
        hasToken={readToken() !== null}
        onOpen={open}
        onNew={startNew}
        onDeleted={(conversationId) => {
          if (conversationId === openId) startNew();
        }}
        onForgetToken={() => {
          forgetToken();
          setSession((n) => n + 1);
          refreshList();
        }}
      />
      <main className="chat" aria-label="Chat">
        <ChatPane
          conversationId={openId}
          fresh={fresh}
          madeHere={madeHere}
          onActivity={onActivity}
          onNew={startNew}
        />
      </main>
    </div>
  );
}
