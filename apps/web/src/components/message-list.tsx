import type { UIMessage } from "ai";
import { type ReactNode, useLayoutEffect, useRef } from "react";
import { MessageView } from "./message-view.tsx";

interface Props {
  messages: UIMessage[];
  /** The id of the message still streaming in, if any. */
  streamingId: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  /** Shown after the last message (regenerate, errors). */
  footer?: ReactNode;
}

// Within this many pixels of the bottom the list follows new text; further up it stays put.
const STICK_PX = 80;
const NEAR_TOP_PX = 200;

/**
 * The scrolling list. Reaching the top loads the page before (with a button for keyboards); the view stays on the same message when older ones are prepended.
 */
export function MessageList({ messages, streamingId, hasOlder, loadingOlder, onLoadOlder, footer }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const firstId = useRef<string | undefined>(undefined);
  const heightBefore = useRef(0);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    // Near the top, the page before is fetched (the button does the same for keyboards).
    if (el.scrollTop < NEAR_TOP_PX && hasOlder && !loadingOlder) onLoadOlder();
  };

  // Before the DOM changes is too late in React; the height is recorded after every render
  // and compared on the next one, when the first message changed (older ones came in).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = messages[0]?.id;
    if (firstId.current !== undefined && first !== firstId.current && !stuck.current) {
      el.scrollTop += el.scrollHeight - heightBefore.current;
    } else if (stuck.current) {
      el.scrollTop = el.scrollHeight;
    }
    firstId.current = first;
    heightBefore.current = el.scrollHeight;
  });

  return (
    <div className="message-scroller" ref={scroller} onScroll={onScroll}>
      {hasOlder && (
        <button type="button" className="load-older" onClick={onLoadOlder} disabled={loadingOlder}>
          {loadingOlder ? "Loading older messages…" : "Load older messages"}
        </button>
      )}
      <section className="messages" aria-label="Messages" aria-busy={streamingId !== null}>
        {messages.length === 0 && <p className="empty-conversation">Send a message to start.</p>}
        {messages.map((m) => (
          <MessageView key={m.id} message={m} streaming={m.id === streamingId} />
        ))}
      </section>
      {footer}
    </div>
  );
}
