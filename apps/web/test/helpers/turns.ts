import type { WebServer } from "./server.ts";

/** A whole /v1 turn (its SSE body read to the end), to lay down conversations for the page. */
export async function postTurn(server: WebServer, conversationId: string, content: string): Promise<void> {
  const res = await server.api(`/v1/conversations/${encodeURIComponent(conversationId)}/turns`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content }),
  });
  if (!res.ok) throw new Error(`turn failed: ${res.status} ${await res.text()}`);
  await res.text();
}
