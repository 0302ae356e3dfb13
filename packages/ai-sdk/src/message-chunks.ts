import type { UIMessage, UIMessageChunk } from "ai";
import { isToolPart } from "./tool-parts.ts";

type Part = UIMessage["parts"][number];

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The chunks that rebuild one tool part in its state (input, then approval, then outcome). */
function toolChunks(part: Part & { toolCallId: string }): UIMessageChunk[] {
  const tool = part as unknown as {
    type: string;
    toolName?: string;
    toolCallId: string;
    state: string;
    input?: unknown;
    output?: unknown;
    errorText?: string;
    title?: string;
    providerExecuted?: boolean;
    callProviderMetadata?: UIMessageChunk extends infer C
      ? C extends { providerMetadata?: infer P }
        ? P
        : never
      : never;
    preliminary?: boolean;
    approval?: { id: string; approved?: boolean };
  };
  const dynamic = tool.type === "dynamic-tool";
  const toolName = dynamic ? String(tool.toolName) : tool.type.slice("tool-".length);
  const common = defined({ toolCallId: tool.toolCallId, ...(dynamic ? { dynamic: true } : {}) });
  const chunks: UIMessageChunk[] = [];
  if (tool.state === "input-streaming") {
    chunks.push(
      defined({
        type: "tool-input-start",
        toolName,
        ...common,
        title: tool.title,
        providerExecuted: tool.providerExecuted,
      }) as UIMessageChunk,
    );
    return chunks;
  }
  chunks.push(
    defined({
      type: "tool-input-available",
      toolName,
      ...common,
      input: tool.input,
      title: tool.title,
      providerExecuted: tool.providerExecuted,
      providerMetadata: tool.callProviderMetadata,
    }) as UIMessageChunk,
  );
  // An answered approval is the client's own (it sent the answer); asking again would undo it.
  if (tool.approval !== undefined && tool.approval.approved === undefined) {
    chunks.push({ type: "tool-approval-request", approvalId: tool.approval.id, toolCallId: tool.toolCallId });
  }
  switch (tool.state) {
    case "output-available":
      chunks.push(
        defined({
          type: "tool-output-available",
          ...common,
          output: tool.output,
          preliminary: tool.preliminary,
        }) as UIMessageChunk,
      );
      break;
    case "output-error":
      chunks.push({
        type: "tool-output-error",
        ...common,
        errorText: tool.errorText ?? "",
      } as UIMessageChunk);
      break;
    case "output-denied":
      chunks.push({ type: "tool-output-denied", toolCallId: tool.toolCallId });
      break;
    default:
      break;
  }
  return chunks;
}

/**
 * A UI message stream that rebuilds a stored message on the client: a retried request gets the
 * stored reply this way, with no model call. Steps become start-step/finish-step pairs, text and
 * reasoning one delta each, tool parts their input, approval and outcome chunks. (What a stored
 * part cannot say through chunks, such as an approval's answer, is the client's own copy.)
 */
export function messageChunks(message: UIMessage, parts: readonly Part[] = message.parts): UIMessageChunk[] {
  const chunks: UIMessageChunk[] = [
    defined({ type: "start", messageId: message.id, messageMetadata: message.metadata }) as UIMessageChunk,
  ];
  let inStep = false;
  parts.forEach((part, i) => {
    const id = `replay-${i}`;
    if (part.type === "step-start") {
      if (inStep) chunks.push({ type: "finish-step" });
      chunks.push({ type: "start-step" });
      inStep = true;
    } else if (part.type === "text" || part.type === "reasoning") {
      const kind = part.type;
      const providerMetadata = part.providerMetadata;
      chunks.push(defined({ type: `${kind}-start`, id, providerMetadata }) as UIMessageChunk);
      if (part.text.length > 0) chunks.push({ type: `${kind}-delta`, id, delta: part.text });
      if (part.state !== "streaming")
        chunks.push(defined({ type: `${kind}-end`, id, providerMetadata }) as UIMessageChunk);
    } else if (isToolPart(part)) {
      chunks.push(...toolChunks(part));
    } else if (part.type === "file") {
      chunks.push(
        defined({
          type: "file",
          url: part.url,
          mediaType: part.mediaType,
          providerMetadata: part.providerMetadata,
        }) as UIMessageChunk,
      );
    } else if (part.type === "source-url" || part.type === "source-document") {
      chunks.push(part as UIMessageChunk);
    } else if (part.type.startsWith("data-")) {
      chunks.push(part as UIMessageChunk);
    }
  });
  if (inStep) chunks.push({ type: "finish-step" });
  chunks.push({ type: "finish" });
  return chunks;
}

export function streamOfChunks(chunks: readonly UIMessageChunk[]): ReadableStream<UIMessageChunk> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}
