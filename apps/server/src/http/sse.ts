import type { TurnEvent } from "../turns/turn-events.ts";

export interface SseContext {
  conversationId: string;
  requestId: string;
  joined: boolean;
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The SSE frame for one turn event (see the README for the format). */
export function sseFrame(event: TurnEvent, context: SseContext): string {
  switch (event.type) {
    case "ready":
      return frame("start", {
        conversationId: context.conversationId,
        requestId: context.requestId,
        replay: event.replay,
        joined: context.joined,
        source: event.source,
        messageId: event.messageId,
        attempt: event.attempt,
      });
    case "delta":
      return frame("delta", { text: event.text });
    case "tool_call":
      return frame("tool_call", { id: event.id, name: event.name, arguments: event.arguments });
    case "tool_result":
      return frame("tool_result", { toolCallId: event.toolCallId, name: event.name, result: event.result });
    case "done":
      return frame("done", {
        eventId: event.eventId,
        seq: event.seq,
        content: event.content,
        interrupted: event.interrupted,
      });
    case "error":
      return frame("error", { code: event.code, message: event.message });
  }
}

/**
 * A text/event-stream body reading `events`. Pull-based, so a slow client only delays itself;
 * a client that goes away cancels only this reader, never the turn producing the events.
 */
export function sseStream(
  events: AsyncGenerator<TurnEvent>,
  context: SseContext,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await events.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(sseFrame(next.value, context)));
    },
    cancel() {
      // Not awaited: the generator may be parked until the turn's next event.
      void events.return(undefined);
    },
  });
}
