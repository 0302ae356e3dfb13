import { useCallback, useEffect, useRef } from "react";

/** What one tab tells the others about a conversation it is writing to. */
interface TabMessage {
  conversationId: string;
  what: "reply-started" | "reply-finished";
}

const CHANNEL = "chatlog.conversations";

/**
 * Tabs of this browser on the same conversation tell each other when a reply starts and ends,
 * so a second tab can follow the reply live (resume) and then reload the stored messages. The
 * server stays the source of truth: a notice only says "look again".
 */
export function useTabSync(
  conversationId: string,
  onNotice: (what: TabMessage["what"]) => void,
): (what: TabMessage["what"]) => void {
  const channel = useRef<BroadcastChannel | null>(null);
  const listener = useRef(onNotice);
  listener.current = onNotice;

  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const bc = new BroadcastChannel(CHANNEL);
    channel.current = bc;
    bc.onmessage = (event: MessageEvent<TabMessage>) => {
      if (event.data?.conversationId === conversationId) listener.current(event.data.what);
    };
    return () => {
      bc.close();
      channel.current = null;
    };
  }, [conversationId]);

  return useCallback(
    (what: TabMessage["what"]) => channel.current?.postMessage({ conversationId, what } satisfies TabMessage),
    [conversationId],
  );
}
