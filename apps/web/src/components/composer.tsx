import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef } from "react";

interface Props {
  /** The text being written; kept by the conversation so a refused message can be put back. */
  text: string;
  onTextChange: (text: string) => void;
  /** A reply is on its way: Send becomes Stop. */
  busy: boolean;
  stopping: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
}

/** The message box: Enter sends, Shift+Enter starts a new line. Focused when a conversation opens. */
export function Composer({ text, onTextChange, busy, stopping, onSend, onStop }: Props) {
  const inputId = useId();
  const hintId = useId();
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, []);

  const send = () => {
    const trimmed = text.trim();
    if (!trimmed || busy) return;
    onSend(trimmed);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME composition is not a send.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };
  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={inputId} className="visually-hidden">
        Message
      </label>
      <textarea
        id={inputId}
        ref={input}
        rows={2}
        placeholder="Write a message…"
        aria-describedby={hintId}
        value={text}
        onChange={(e) => onTextChange(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <span id={hintId} className="visually-hidden">
        Enter sends, Shift+Enter adds a line.
      </span>
      {busy ? (
        <button type="button" className="stop" onClick={onStop} disabled={stopping}>
          {stopping ? "Stopping…" : "Stop"}
        </button>
      ) : (
        <button type="submit" disabled={text.trim() === ""}>
          Send
        </button>
      )}
    </form>
  );
}
