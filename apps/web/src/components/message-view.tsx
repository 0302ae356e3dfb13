import type { UIMessage } from "ai";
import { Markdown } from "../markdown/markdown.tsx";
import { isInterrupted, isStopped, isToolPart, textOf } from "../message-parts.ts";
import { CopyButton } from "./copy-button.tsx";
import { ToolCall } from "./tool-call.tsx";

interface Props {
  message: UIMessage;
  /** Still arriving: no "interrupted" verdict yet. */
  streaming: boolean;
}

const ROLE_LABEL: Record<UIMessage["role"], string> = {
  user: "You",
  assistant: "Assistant",
  system: "System",
};

/** One message: its text, reasoning, tool calls with their results, files and sources. */
export function MessageView({ message, streaming }: Props) {
  const stopped = !streaming && isStopped(message);
  const interrupted = !streaming && !stopped && isInterrupted(message);
  return (
    <article
      className={`message message-${message.role}${interrupted ? " message-interrupted" : ""}`}
      aria-label={`${ROLE_LABEL[message.role]} said`}
      data-message-id={message.id}
    >
      <h2 className="message-role">{ROLE_LABEL[message.role]}</h2>
      {message.parts.map((part, i) => {
        const key = `${message.id}-${i}`;
        if (part.type === "text")
          return message.role === "user" ? (
            <p key={key} className="message-text">
              {part.text}
            </p>
          ) : (
            <div key={key} className="message-text">
              <Markdown text={part.text} streaming={streaming} />
            </div>
          );
        if (part.type === "reasoning")
          return (
            <details key={key} className="reasoning">
              <summary>Reasoning</summary>
              <p>{part.text}</p>
            </details>
          );
        if (isToolPart(part)) return <ToolCall key={key} part={part} />;
        if (part.type === "file")
          return part.mediaType.startsWith("image/") ? (
            <img key={key} className="message-image" src={part.url} alt={part.filename ?? "attached image"} />
          ) : (
            <a key={key} href={part.url} download={part.filename}>
              {part.filename ?? "attached file"}
            </a>
          );
        if (part.type === "source-url")
          return (
            <a key={key} className="source" href={part.url} target="_blank" rel="noreferrer">
              {part.title ?? part.url}
            </a>
          );
        return null; // step-start, data-*: nothing to read
      })}
      {!streaming && textOf(message) !== "" && (
        <div className="message-actions">
          <CopyButton text={textOf(message)} label="Copy message" />
        </div>
      )}
      {stopped && (
        <p className="stopped-note" role="note">
          Stopped: the reply ends where you stopped it.
        </p>
      )}
      {interrupted && (
        <p className="interrupted-note" role="note">
          Interrupted: this reply was cut short.
        </p>
      )}
    </article>
  );
}
