import { readUIMessageStream, type UIMessage, type UIMessageChunk } from "ai";

/** A user message of one text part, as useChat sends it. */
export function user(id: string, text: string): UIMessage {
  return { id, role: "user", parts: [{ type: "text", text }] };
}

/** What the SDK's client code makes of a UI message stream (the last message state). */
export async function clientMessage(
  stream: ReadableStream<UIMessageChunk>,
  message?: UIMessage,
): Promise<UIMessage> {
  let last: UIMessage | undefined;
  for await (const state of readUIMessageStream({ stream, ...(message ? { message } : {}) })) last = state;
  if (last === undefined) throw new Error("the stream built no message");
  return last;
}

/** `message` with every pending approval of `toolType` (e.g. "tool-deleteFile") approved, as useChat's addToolApprovalResponse does. */
export function approveAll(message: UIMessage, toolType: string): UIMessage {
  return {
    ...message,
    parts: message.parts.map((p) =>
      p.type === toolType && "state" in p && p.state === "approval-requested"
        ? { ...p, state: "approval-responded", approval: { id: p.approval.id, approved: true } }
        : p,
    ) as UIMessage["parts"],
  };
}
