import { replyMarks } from "@chatlog/ai-sdk";
import type { UIMessageChunk } from "ai";
import type { TurnEvent } from "../turns/turn-events.ts";

/**
 * The AI SDK view of a turn: TurnEvents as UI message stream chunks (protocol v1).
 *
 * Steps are derived from the events, the way the SDK's stream has them: a step ends after its
 * tool results, so the text or tool call that follows a result opens the next step. That is also
 * how @chatlog/ai-sdk's loadUIMessages folds a stored server turn, so the UIMessage a client
 * builds from this stream equals the one it later loads from /api/chat/{id}/messages.
 */
export class UIChunkView {
  private messageId = "";
  private stepOpen = false;
  private afterToolResult = false;
  private textId: string | null = null;
  private texts = 0;

  chunks(event: TurnEvent): UIMessageChunk[] {
    const out: UIMessageChunk[] = [];
    switch (event.type) {
      case "ready":
        this.messageId = event.messageId;
        out.push({ type: "start", messageId: event.messageId });
        break;
      case "delta":
        if (event.text.length === 0) break;
        this.nextStepIfAfterTools(out);
        if (this.textId === null) {
          this.textId = `${this.messageId}:text:${this.texts++}`;
          out.push({ type: "text-start", id: this.textId });
        }
        out.push({ type: "text-delta", id: this.textId, delta: event.text });
        break;
      case "tool_call":
        this.closeText(out);
        this.nextStepIfAfterTools(out);
        out.push({
          type: "tool-input-available",
          toolCallId: event.id,
          toolName: event.name,
          input: event.arguments,
        });
        break;
      case "tool_result":
        this.closeText(out);
        out.push({ type: "tool-output-available", toolCallId: event.toolCallId, output: event.result });
        this.afterToolResult = true;
        break;
      case "done":
        this.closeText(out);
        if (this.stepOpen) out.push({ type: "finish-step" });
        this.stepOpen = false;
        // The same metadata a reload finds on the stored message (loadUIMessages).
        out.push(
          event.interrupted || event.stopped
            ? { type: "finish", messageMetadata: replyMarks(event.interrupted, event.stopped) }
            : { type: "finish" },
        );
        break;
      case "error":
        this.closeText(out);
        out.push({ type: "error", errorText: `${event.code}: ${event.message}` });
        break;
    }
    return out;
  }

  private nextStepIfAfterTools(out: UIMessageChunk[]): void {
    if (this.afterToolResult && this.stepOpen) {
      out.push({ type: "finish-step" });
      this.stepOpen = false;
    }
    this.afterToolResult = false;
    if (!this.stepOpen) {
      out.push({ type: "start-step" });
      this.stepOpen = true;
    }
  }

  private closeText(out: UIMessageChunk[]): void {
    if (this.textId !== null) out.push({ type: "text-end", id: this.textId });
    this.textId = null;
  }
}

/** `data: <json>` lines, ending with `data: [DONE]`: the SSE framing of the UI message stream. */
export function uiMessageStream(events: AsyncGenerator<TurnEvent>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const view = new UIChunkView();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Loops until it has something to send: a pull that enqueues nothing is not repeated.
      for (;;) {
        const next = await events.next();
        if (next.done) {
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
          return;
        }
        const text = view
          .chunks(next.value)
          .map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`)
          .join("");
        if (text.length > 0) {
          controller.enqueue(encoder.encode(text));
          return;
        }
      }
    },
    cancel() {
      // A client that goes away cancels only this reader, never the turn.
      void events.return(undefined);
    },
  });
}

export const UI_MESSAGE_STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  "x-vercel-ai-ui-message-stream": "v1",
} as const;
