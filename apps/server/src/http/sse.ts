import type { TurnEvent } from "../turns/turn-events.ts";
import { errorBody, statusOfCode } from "./errors.ts";

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
        stopped: event.stopped,
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
  /** An event already taken from `events` (sseResponse looks at the first one). */
  first?: TurnEvent,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (first !== undefined) controller.enqueue(encoder.encode(sseFrame(first, context)));
    },
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

/**
 * The HTTP answer to a turn. It waits for the turn's first event, which comes once the user
 * message is stored (or found stored): when that is an error the client caused (a request id
 * reused for other content, REQUEST_ID_CONFLICT 409; a request id in chatlog's own namespace,
 * 400), the answer is that JSON error with its status, not a 200 stream carrying it, and
 * nothing was written. Anything else streams as SSE.
 */
export async function sseResponse(
  events: AsyncGenerator<TurnEvent>,
  context: SseContext,
  headers: Record<string, string>,
): Promise<Response> {
  const first = await events.next();
  if (!first.done && first.value.type === "error") {
    const status = statusOfCode(first.value.code);
    if (status < 500) {
      void events.return(undefined);
      return Response.json(errorBody(first.value.code, first.value.message), { status });
    }
  }
  return new Response(sseStream(events, context, first.done ? undefined : first.value), {
    status: 200,
    headers,
  });
}
