import type { UIMessage } from "ai";
import type { WebServer } from "./server.ts";

/** An event as `GET /v1/conversations/{id}/events` returns it (the fields the tests read). */
export interface StoredEvent {
  type: string;
  content: unknown;
  createdAt: string;
  extra: Record<string, unknown> | null;
}

async function okJson<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The conversation's messages as the server has stored them (`GET /api/chat/{id}/messages`). */
export async function storedMessages(server: WebServer, conversationId: string): Promise<UIMessage[]> {
  const res = await server.api(`/api/chat/${encodeURIComponent(conversationId)}/messages`);
  return (await okJson<{ messages: UIMessage[] }>(res)).messages;
}

/** The conversation's stored events, oldest first (up to 1000). */
export async function storedEvents(server: WebServer, conversationId: string): Promise<StoredEvent[]> {
  const res = await server.api(`/v1/conversations/${encodeURIComponent(conversationId)}/events?limit=1000`);
  return (await okJson<{ events: StoredEvent[] }>(res)).events;
}

/** The text parts of a message, joined. */
export function textOf(message: UIMessage | undefined): string {
  return message?.parts.map((p) => (p.type === "text" ? p.text : "")).join("") ?? "";
}
