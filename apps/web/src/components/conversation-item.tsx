import type { MouseEvent } from "react";
import type { ConversationSummary } from "../api/conversations.ts";
import { formatWhen } from "../format.ts";
import { conversationPath } from "../hooks/use-route.ts";

interface Props {
  conversation: ConversationSummary;
  current: boolean;
  onOpen: (conversationId: string) => void;
}

/** One conversation in the sidebar: a real link (middle-click opens a tab), handled in-page. */
export function ConversationItem({ conversation, current, onOpen }: Props) {
  const open = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    onOpen(conversation.conversationId);
  };
  return (
    <li>
      <a
        className="conversation-item"
        href={conversationPath(conversation.conversationId)}
        aria-current={current ? "page" : undefined}
        onClick={open}
      >
        <span className="conversation-id">{conversation.conversationId}</span>
        <span className="conversation-meta">
          <time dateTime={conversation.lastActivityAt}>{formatWhen(conversation.lastActivityAt)}</time>
          {" · "}
          {conversation.eventCount} {conversation.eventCount === 1 ? "event" : "events"}
        </span>
      </a>
    </li>
  );
}
