import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";

interface Props {
  busy: boolean;
  onSend: (text: string) => void;
}

/** The message box: Enter sends, Shift+Enter starts a new line. Focused when a conversation opens. */
export function Composer({ busy, onSend }: Props) {
  const [text, setText] = useState("");
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
    setText("");
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
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <span id={hintId} className="visually-hidden">
        Enter sends, Shift+Enter adds a line.
      </span>
      <button type="submit" disabled={busy || text.trim() === ""}>
        Send
      </button>
    </form>
  );
}
