import { formatBytes } from "../format.ts";
import type { SendProblem } from "../send-errors.ts";

interface Props {
  problem: SendProblem | null;
  reachable: boolean;
  onDismiss: () => void;
}

/** Above the message box: why the last message did not go, in words a person can act on. */
export function SendNotice({ problem, reachable, onDismiss }: Props) {
  if (!reachable)
    return (
      <p className="send-notice" role="alert">
        The server can’t be reached right now; it may be restarting. This page reconnects by itself
        {problem?.kind === "unreachable" ? ", and your message is kept in the box." : "."}
      </p>
    );
  if (problem?.kind !== "too-large") return null;
  const limit =
    problem.maxBytes === null ? "" : ` (the server accepts up to ${formatBytes(problem.maxBytes)})`;
  return (
    <div className="send-notice" role="alert">
      <p>
        This message is too long to send{limit}. It is still in the box: shorten it or split it, then send
        again.
      </p>
      <button type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
