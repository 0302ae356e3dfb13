import { formatJson } from "../format.ts";
import { type AnyToolPart, toolName } from "../message-parts.ts";

const STATE_LABEL: Record<AnyToolPart["state"], string> = {
  "input-streaming": "preparing",
  "input-available": "running",
  "approval-requested": "waiting for approval",
  "approval-responded": "approval sent",
  "output-available": "done",
  "output-error": "failed",
  "output-denied": "denied",
};

/** A tool call and, once it has one, its result: shown as such, not as reply text. */
export function ToolCall({ part }: { part: AnyToolPart }) {
  const name = toolName(part);
  const hasOutput = part.state === "output-available";
  return (
    <details className={`tool-call tool-${part.state}`} open={part.state !== "output-available"}>
      <summary>
        <span className="tool-label">Tool call</span> <code className="tool-name">{name}</code>{" "}
        <span className="tool-state">{STATE_LABEL[part.state]}</span>
      </summary>
      <div className="tool-body">
        <p className="tool-heading">Input</p>
        <pre>{formatJson(part.input ?? {})}</pre>
        {hasOutput && (
          <>
            <p className="tool-heading">Result</p>
            <pre className="tool-result">{formatJson(part.output)}</pre>
          </>
        )}
        {part.state === "output-error" && (
          <p className="tool-error" role="note">
            Error: {part.errorText}
          </p>
        )}
      </div>
    </details>
  );
}
