import { useChat } from "@ai-sdk/react";
import type { UIMessage } from "ai";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { loadMessages, type MessagePage } from "../api/messages.ts";
import { createTransport } from "../api/transport.ts";
import { useTabSync } from "../hooks/use-tab-sync.ts";
import { mergeLatestPage, prependOlder, sameMessages } from "../merge-messages.ts";
import { Composer } from "./composer.tsx";
import { MessageList } from "./message-list.tsx";
import { ReplyActions } from "./reply-actions.tsx";

export const MESSAGE_PAGE_SIZE = 40;

interface Props {
  conversationId: string;
  initial: MessagePage;
  /** The first message of a new conversation was sent, or a reply ended: the sidebar is stale. */
  onActivity: (conversationId: string) => void;
}

/**
 * One open conversation on useChat. Its stored messages are the initial messages; `resume`
 * picks up a reply still being generated (after a reload, or one started in another tab or
 * process). After each reply, and when another tab says so, the newest page is read again so
 * every tab ends with the server's messages.
 */
export function Conversation({ conversationId, initial, onActivity }: Props) {
  const transport = useMemo(createTransport, []);
  const [olderCursor, setOlderCursor] = useState(initial.olderCursor);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const announceTabs = useRef<(what: "reply-started" | "reply-finished") => void>(() => {});

  const chat = useChat({
    id: conversationId,
    messages: initial.messages,
    transport,
    resume: true,
    experimental_throttle: 40,
    onFinish: ({ isAbort, isError }) => {
      if (isAbort || isError) return;
      setAnnouncement("Reply complete.");
      announceTabs.current("reply-finished");
      onActivity(conversationId);
      void syncWithServer(false);
    },
  });
  const { messages, status, setMessages, resumeStream } = chat;
  const busy = status === "submitted" || status === "streaming";
  const statusRef = useRef(status);
  statusRef.current = status;
  const messagesRef = useRef(messages);
  messagesRef.current = messages;

  // Reads the newest page and lays it over the shown messages. `follow`: another tab or
  // process may be generating, so join its stream when the last stored message awaits a reply.
  // biome-ignore lint/correctness/useExhaustiveDependencies: refs and stable setters only
  const syncWithServer = useCallback(
    async (follow: boolean) => {
      let page: MessagePage;
      try {
        page = await loadMessages(conversationId, { limit: MESSAGE_PAGE_SIZE });
      } catch {
        return; // a later sync, or the next reply, tries again
      }
      if (statusRef.current === "submitted" || statusRef.current === "streaming") return;
      const shown = messagesRef.current;
      // Right after this tab's own reply the server may be a step behind; never go backwards.
      if (!follow && !page.messages.some((m) => m.id === shown.at(-1)?.id)) return;
      const merged = mergeLatestPage(shown, page.messages);
      if (merged.replacedAll) setOlderCursor(page.olderCursor);
      if (!sameMessages(shown, merged.messages)) setMessages(merged.messages);
      if (follow && merged.messages.at(-1)?.role === "user") void resumeStream();
    },
    [conversationId],
  );

  announceTabs.current = useTabSync(conversationId, (what) => {
    if (statusRef.current === "submitted" || statusRef.current === "streaming") return;
    void syncWithServer(what === "reply-started");
  });

  useEffect(() => {
    if (status === "streaming") {
      setAnnouncement("Assistant is replying…");
      announceTabs.current("reply-started");
    }
  }, [status]);

  // Back to this tab after a while: catch up on what happened elsewhere.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === "visible" && statusRef.current === "ready") void syncWithServer(true);
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [syncWithServer]);

  const loadOlder = useCallback(async () => {
    if (olderCursor === null || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await loadMessages(conversationId, { limit: MESSAGE_PAGE_SIZE, cursor: olderCursor });
      setMessages((shown: UIMessage[]) => prependOlder(shown, page.messages));
      setOlderCursor(page.olderCursor);
    } finally {
      setLoadingOlder(false);
    }
  }, [conversationId, olderCursor, loadingOlder, setMessages]);

  const send = (text: string) => {
    const first = messagesRef.current.length === 0;
    void chat.sendMessage({ text });
    if (first) onActivity(conversationId);
  };

  const last = messages.at(-1);
  const streamingId = busy && last?.role === "assistant" ? last.id : null;
  return (
    <div className="conversation" data-status={status}>
      <MessageList
        messages={messages}
        streamingId={streamingId}
        hasOlder={olderCursor !== null}
        loadingOlder={loadingOlder}
        onLoadOlder={() => void loadOlder()}
        footer={
          <ReplyActions
            status={status}
            error={chat.error}
            lastMessage={last}
            onRegenerate={() => {
              chat.clearError();
              // A failed resume with nothing to answer has nothing to regenerate either.
              if (last !== undefined)
                void chat.regenerate(last.role === "assistant" ? { messageId: last.id } : {});
            }}
          />
        }
      />
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      <Composer busy={busy} onSend={send} />
    </div>
  );
}
