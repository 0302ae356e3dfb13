export interface SseEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields
  data: any;
}

/** Parses a text/event-stream body incrementally, yielding each event as it arrives. */
export async function* readSse(response: Response): AsyncGenerator<SseEvent> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (data.length > 0) yield { event, data: JSON.parse(data.join("\n")) };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export interface TurnRequest {
  content?: unknown;
  requestId?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export function postTurn(baseUrl: string, conversationId: string, request: TurnRequest): Promise<Response> {
  const body =
    request.body ??
    JSON.stringify({
      content: request.content,
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
    });
  return fetch(`${baseUrl}/v1/conversations/${encodeURIComponent(conversationId)}/turns`, {
    method: "POST",
    headers: { "content-type": "application/json", ...request.headers },
    body,
    ...(request.signal ? { signal: request.signal } : {}),
  });
}

export interface TurnResult {
  status: number;
  events: SseEvent[];
  /** The deltas joined. */
  text: string;
  done: SseEvent["data"] | null;
  start: SseEvent["data"] | null;
}

/** Posts a turn and reads its whole event stream. */
export async function runTurn(
  baseUrl: string,
  conversationId: string,
  request: TurnRequest,
): Promise<TurnResult> {
  const response = await postTurn(baseUrl, conversationId, request);
  const events: SseEvent[] = [];
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    for await (const event of readSse(response)) events.push(event);
  } else {
    await response.body?.cancel();
  }
  return {
    status: response.status,
    events,
    text: events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join(""),
    done: events.find((e) => e.event === "done")?.data ?? null,
    start: events.find((e) => e.event === "start")?.data ?? null,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields of JSON bodies
export type Json = any;

export async function jsonOf(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}
