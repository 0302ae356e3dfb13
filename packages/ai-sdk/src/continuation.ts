import { ChatlogError } from "@chatlog/core";
import type { UIMessage } from "ai";
import { type AnyToolPart, isToolPart, toolNameOf } from "./tool-parts.ts";

type Part = UIMessage["parts"][number];

/** The tools an app gives the model, as far as this rule needs them: which ones run on the server. */
export type ToolsByName = Readonly<Record<string, { execute?: unknown } | undefined>>;

/**
 * The one rule for what a client may add to a stored assistant message when it sends it back
 * to continue it (issue 15, defect 1). The stored message is the truth; from the client's copy
 * only these are taken, matched by tool call id, each keeping the stored input:
 *
 * - an answer (approved or denied, with an optional reason) to a call the stored message has in
 *   `approval-requested`, for that approval's id;
 * - the output (or error) of a client-side tool (one the app declares without `execute`) to a
 *   call the stored message has in `input-available`.
 *
 * Everything else in the copy (other parts, other states, other inputs, a part the model never
 * asked for) is ignored. Returns the stored message with those additions, or throws
 * INVALID_ARGUMENT when there are none: a continuation that adds nothing changes nothing.
 */
export function continuationOf(stored: UIMessage, sent: UIMessage, tools: ToolsByName = {}): UIMessage {
  const offered = new Map<string, AnyToolPart>();
  for (const part of sent.parts) if (isToolPart(part)) offered.set(part.toolCallId, part);
  let added = 0;
  const parts = stored.parts.map((part): Part => {
    if (!isToolPart(part)) return part;
    const answer = offered.get(part.toolCallId);
    if (answer === undefined || answer.type !== part.type || toolNameOf(answer) !== toolNameOf(part))
      return part;
    const next = approvalAnswered(part, answer) ?? clientOutput(part, answer, tools);
    if (next === null) return part;
    added++;
    return next as unknown as Part;
  });
  if (added === 0) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "the continuation adds nothing to the stored message: only answers to its approval requests and outputs of client-side tools it is waiting for can be added",
      { details: { field: "message.parts", messageId: stored.id } },
    );
  }
  return { ...stored, parts };
}

function approvalAnswered(stored: AnyToolPart, answer: AnyToolPart): AnyToolPart | null {
  if (stored.state !== "approval-requested" || stored.approval === undefined) return null;
  const approval = answer.approval;
  if (answer.state !== "approval-responded" || approval === undefined) return null;
  if (approval.id !== stored.approval.id || typeof approval.approved !== "boolean") return null;
  const reason = typeof approval.reason === "string" ? { reason: approval.reason } : {};
  return {
    ...stored,
    state: "approval-responded",
    // The stored request's own fields (ai 7: descriptor, signature, ...) stay as stored.
    approval: { ...stored.approval, approved: approval.approved, ...reason },
  };
}

function clientOutput(stored: AnyToolPart, answer: AnyToolPart, tools: ToolsByName): AnyToolPart | null {
  if (stored.state !== "input-available") return null;
  const tool = tools[toolNameOf(stored)];
  // Only a tool the app declares, and one the server does not run itself, is answered by a client.
  if (tool === undefined || tool.execute !== undefined) return null;
  if (answer.state === "output-available" && answer.preliminary !== true && answer.output !== undefined) {
    return { ...stored, state: "output-available", output: answer.output };
  }
  if (answer.state === "output-error" && typeof answer.errorText === "string") {
    return { ...stored, state: "output-error", errorText: answer.errorText };
  }
  return null;
}
