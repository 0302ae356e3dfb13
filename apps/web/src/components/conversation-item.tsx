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
        <span className="conversation-title">{conversation.title ?? "New conversation"}</span>
        <span className="conversation-meta">
          <span className="conversation-id">{shortId(conversation.conversationId)}</span>
          {" · "}
          <time dateTime={conversation.lastActivityAt}>{formatWhen(conversation.lastActivityAt)}</time>
          {" · "}
          {conversation.eventCount} {conversation.eventCount === 1 ? "event" : "events"}
        </span>
      </a>
    </li>
  );
}

/** Ids the page makes are UUIDs: their start is enough to tell two untitled conversations apart. */
function shortId(id: string): string {
  return id.length <= 12 ? id : `${id.slice(0, 8)}…`;
}
