import type { ChatStatus, UIMessage } from "ai";
import { isNetworkError } from "../api/connection.ts";

interface Props {
  status: ChatStatus;
  error: Error | undefined;
  lastMessage: UIMessage | undefined;
  onRegenerate: () => void;
}

/** Under the last message: "Thinking…", the error of a failed request, or Regenerate. */
export function ReplyActions({ status, error, lastMessage, onRegenerate }: Props) {
  if (status === "submitted") return <p className="reply-pending">Assistant is thinking…</p>;
  if (status === "error")
    return (
      <div className="reply-error" role="alert">
        <p>The reply failed: {describe(error)}</p>
        <button type="button" onClick={onRegenerate}>
          Try again
        </button>
      </div>
    );
  if (status === "ready" && lastMessage?.role === "assistant")
    return (
      <div className="reply-actions">
        <button type="button" onClick={onRegenerate}>
          Regenerate
        </button>
      </div>
    );
  return null;
}

/** The transport throws the response body as the message: show the server's own message. */
function describe(error: Error | undefined): string {
  if (!error) return "unknown error";
  if (isNetworkError(error)) return "the server could not be reached.";
  try {
    const body = JSON.parse(error.message) as { error?: { message?: string } };
    return body.error?.message ?? error.message;
  } catch {
    return error.message;
  }
}
