import { type FormEvent, type KeyboardEvent, type MouseEvent, useEffect, useRef, useState } from "react";
import type { ConversationSummary } from "../api/conversations.ts";
import { formatFull, formatRelative } from "../format.ts";
import { conversationPath } from "../hooks/use-route.ts";
import { PencilIcon, TrashIcon } from "./icons.tsx";

export const UNTITLED = "New conversation";
/** The longest title the server accepts (TITLE_MAX_CHARS in @chatlog/core). */
const TITLE_MAX_CHARS = 120;

interface Props {
  conversation: ConversationSummary;
  current: boolean;
  now: number;
  onOpen: (conversationId: string) => void;
  /** Resolve when the server has it; a rejection is shown beside the item. */
  onRename: (conversationId: string, title: string) => Promise<void>;
  onDelete: (conversationId: string) => Promise<void>;
}

type Mode = "view" | "rename" | "confirm-delete";

/**
 * One conversation in the sidebar: a real link (middle-click opens a tab) with its title and
 * when it was last active, and Rename / Delete. Delete asks first; nothing is erased until
 * the second click.
 */
export function ConversationItem({ conversation, current, now, onOpen, onRename, onDelete }: Props) {
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const title = conversation.title ?? UNTITLED;
  const id = conversation.conversationId;

  const open = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    onOpen(id);
  };
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
      setMode("view");
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="conversation-entry" data-conversation-id={id}>
      {mode === "rename" ? (
        <RenameForm
          initial={conversation.title ?? ""}
          busy={busy}
          onSave={(text) => void run(() => onRename(id, text))}
          onCancel={() => setMode("view")}
        />
      ) : (
        <a
          className="conversation-item"
          href={conversationPath(id)}
          aria-current={current ? "page" : undefined}
          onClick={open}
        >
          <span className="conversation-title">{title}</span>
          <time
            className="conversation-meta"
            dateTime={conversation.lastActivityAt}
            title={formatFull(conversation.lastActivityAt)}
          >
            {formatRelative(conversation.lastActivityAt, now)}
          </time>
        </a>
      )}
      {mode === "view" && (
        <div className="conversation-actions">
          <button
            type="button"
            aria-label={`Rename “${title}”`}
            title="Rename"
            onClick={() => setMode("rename")}
          >
            <PencilIcon />
          </button>
          <button
            type="button"
            aria-label={`Delete “${title}”`}
            title="Delete"
            onClick={() => setMode("confirm-delete")}
          >
            <TrashIcon />
          </button>
        </div>
      )}
      {mode === "confirm-delete" && (
        <ConfirmDelete
          title={title}
          busy={busy}
          onConfirm={() => void run(() => onDelete(id))}
          onCancel={() => setMode("view")}
        />
      )}
      {problem && (
        <p className="conversation-problem" role="alert">
          {problem}
        </p>
      )}
    </li>
  );
}

function RenameForm(props: {
  initial: string;
  busy: boolean;
  onSave: (title: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(props.initial);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const trimmed = text.trim();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (trimmed !== "") props.onSave(trimmed);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Escape") props.onCancel();
  };
  return (
    <form className="rename-form" onSubmit={submit}>
      <input
        ref={input}
        aria-label="Conversation title"
        value={text}
        maxLength={TITLE_MAX_CHARS}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" disabled={props.busy || trimmed === ""}>
        Save
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}

function ConfirmDelete(props: { title: string; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  // The safe choice has the focus, so a stray Enter does not erase anything.
  useEffect(() => cancel.current?.focus(), []);
  return (
    <fieldset className="confirm-delete" aria-label="Confirm delete">
      <legend>Delete “{props.title}” for good?</legend>
      <button type="button" className="danger" disabled={props.busy} onClick={props.onConfirm}>
        Delete
      </button>
      <button type="button" ref={cancel} onClick={props.onCancel}>
        Cancel
      </button>
    </fieldset>
  );
}
