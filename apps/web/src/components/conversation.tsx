import { useChat } from "@ai-sdk/react";
import type { UIMessage } from "ai";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { reportUnreachable, useReachable } from "../api/connection.ts";
import { loadMessages, type MessagePage } from "../api/messages.ts";
import { requestStop } from "../api/stop.ts";
import { createTransport } from "../api/transport.ts";
import { keepDraft, takeDraft, type Unsent } from "../drafts.ts";
import { useTabSync } from "../hooks/use-tab-sync.ts";
import { mergeLatestPage, prependOlder, sameMessages } from "../merge-messages.ts";
import { textOf } from "../message-parts.ts";
import { type SendProblem, sendProblemOf } from "../send-errors.ts";
import { Composer } from "./composer.tsx";
import { MessageList } from "./message-list.tsx";
import { ReplyActions } from "./reply-actions.tsx";
import { SendNotice } from "./send-notice.tsx";

export const MESSAGE_PAGE_SIZE = 40;
/** How long Stop waits for the server to end the stream itself before it stops reading. */
const STOP_WAIT_MS = 3_000;

interface Props {
  conversationId: string;
  initial: MessagePage;
  /** A message was sent or a reply started (the server stored the message): the sidebar is stale. */
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
  // The box starts with what it held when this conversation was last open (drafts.ts).
  const [restored] = useState(() => takeDraft(conversationId, initial.messages));
  const [draft, setDraft] = useState(restored.text);
  const [problem, setProblem] = useState<SendProblem | null>(null);
  const [stopping, setStopping] = useState(false);
  // The text of a message sent but not yet accepted (no reply started): put back on failure.
  const pendingSend = useRef<string | null>(null);
  // A message put back into the box after a failure, in case the server had stored it after all.
  const putBack = useRef<{ id: string; text: string } | null>(restored.putBack);
  const announceTabs = useRef<(what: "reply-started" | "reply-finished") => void>(() => {});
  const reachable = useReachable();

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
  const { messages, status, setMessages, resumeStream, clearError } = chat;
  const busy = status === "submitted" || status === "streaming";
  const statusRef = useRef(status);
  statusRef.current = status;
  const messagesRef = useRef(messages);
  messagesRef.current = messages;
  const draftRef = useRef(draft);
  draftRef.current = draft;

  // Going away (another conversation opened, or a 401 brought up the token form): keep the
  // box's text, and a message sent but not yet accepted, for when this conversation is back.
  // biome-ignore lint/correctness/useExhaustiveDependencies: refs only, read as the box goes away
  useEffect(
    () => () => {
      const sent = pendingSend.current;
      const unsent: Unsent | null =
        sent === null
          ? putBack.current
          : {
              id: messagesRef.current.findLast((m) => m.role === "user" && textOf(m) === sent)?.id ?? null,
              text: sent,
            };
      keepDraft(conversationId, draftRef.current, unsent);
    },
    [],
  );

  // Reads the newest page and lays it over the shown messages. `follow`: another tab or
  // process may be generating, so join its stream when the last stored message awaits a reply.
  // `rejoin` (the server is back): join whatever is being generated, even a reply already
  // partly stored; the stream route answers 204 when nothing is.
  // biome-ignore lint/correctness/useExhaustiveDependencies: refs and stable setters only
  const syncWithServer = useCallback(
    async (follow: boolean, rejoin = false) => {
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
      // A message put back into the box that the server had stored after all: not twice.
      const back = putBack.current;
      if (back && page.messages.some((m) => m.id === back.id)) {
        putBack.current = null;
        setDraft((text) => (text === back.text ? "" : text));
      }
      if (rejoin || (follow && merged.messages.at(-1)?.role === "user")) void resumeStream();
    },
    [conversationId],
  );

  announceTabs.current = useTabSync(conversationId, (what) => {
    if (statusRef.current === "submitted" || statusRef.current === "streaming") return;
    void syncWithServer(what === "reply-started");
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a reply starts
  useEffect(() => {
    if (status === "streaming") {
      // The server answers only once it has stored the message: the sidebar can show it now.
      pendingSend.current = null;
      setAnnouncement("Assistant is replying…");
      announceTabs.current("reply-started");
      onActivity(conversationId);
    }
  }, [status]);

  // A message that was refused (too large) or never reached the server goes back into the box,
  // so nothing typed is lost; "Try again" would only send it again as it was.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when an error arrives
  useEffect(() => {
    const error = chat.error;
    if (!error) return;
    const found = sendProblemOf(error);
    const sent = pendingSend.current;
    const last = messagesRef.current.at(-1);
    if (found.kind !== "other" && sent !== null && last?.role === "user" && textOf(last) === sent) {
      pendingSend.current = null;
      putBack.current = { id: last.id, text: sent };
      setMessages(messagesRef.current.slice(0, -1));
      setDraft((text) => (text.trim() === "" ? sent : text));
      setProblem(found);
      clearError();
    } else if (found.kind === "unreachable") {
      setProblem(found);
    }
    // The stream broke without an answer (the server went away mid-reply): watch for its return.
    if (found.kind === "unreachable") reportUnreachable();
  }, [chat.error]);

  // The server is back: drop the failure and catch up (a reply it was writing, or finished, or
  // finalized as interrupted after a restart).
  const wasReachable = useRef(reachable);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when reachability changes
  useEffect(() => {
    const back = reachable && !wasReachable.current;
    wasReachable.current = reachable;
    if (!back) return; // on mount, useChat's own resume covers a reply in progress
    setProblem((p) => (p?.kind === "unreachable" ? null : p));
    if (statusRef.current === "error") clearError();
    void syncWithServer(true, true);
  }, [reachable]);

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
    pendingSend.current = text;
    putBack.current = null;
    setProblem(null);
    setDraft("");
    void chat.sendMessage({ text });
    if (first) onActivity(conversationId);
  };

  // Stop asks the server, which ends the generation and stores the reply so far; its stream
  // then ends by itself and the stored reply is shown. A server without the route (404), or
  // one that does not end the stream in time, leaves only stopping to read.
  const stop = async () => {
    setStopping(true);
    try {
      const outcome = await requestStop(conversationId).catch(() => "unsupported" as const);
      if (outcome !== "unsupported") await waitUntil(() => statusRef.current !== "streaming", STOP_WAIT_MS);
      if (statusRef.current === "submitted" || statusRef.current === "streaming") await chat.stop();
    } finally {
      setStopping(false);
    }
    await syncWithServer(false);
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
          problem?.kind === "unreachable" && !reachable ? null : (
            <ReplyActions
              status={status}
              error={chat.error}
              lastMessage={last}
              onRegenerate={() => {
                clearError();
                // A failed resume with nothing to answer has nothing to regenerate either.
                if (last !== undefined)
                  void chat.regenerate(last.role === "assistant" ? { messageId: last.id } : {});
              }}
            />
          )
        }
      />
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      <SendNotice problem={problem} reachable={reachable} onDismiss={() => setProblem(null)} />
      <Composer
        text={draft}
        onTextChange={setDraft}
        busy={busy}
        stopping={stopping}
        onSend={send}
        onStop={() => void stop()}
      />
    </div>
  );
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
}
