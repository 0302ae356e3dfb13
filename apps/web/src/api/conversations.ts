import { authorizedFetch, getJson, throwUnlessOk } from "./http.ts";

export interface ConversationSummary {
  conversationId: string;
  createdAt: string;
  lastActivityAt: string;
  eventCount: number;
  /** The title a person set, else the start of the first user message (null until there is one). */
  title: string | null;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
}

/** One page of `GET /v1/conversations`, newest activity first. */
export function listConversations(options: {
  limit: number;
  cursor?: string | null;
}): Promise<ConversationPage> {
  const query = new URLSearchParams({ limit: String(options.limit) });
  if (options.cursor) query.set("cursor", options.cursor);
  return getJson<ConversationPage>(`/v1/conversations?${query}`);
}

/** Erases a conversation on the server (`DELETE /v1/conversations/{id}`); a 404 means it was already gone. */
export async function deleteConversation(conversationId: string): Promise<void> {
  const response = await authorizedFetch(`/v1/conversations/${encodeURIComponent(conversationId)}`, {
    method: "DELETE",
  });
  if (response.status === 404) return;
  await throwUnlessOk(response);
}

/** Renames a conversation (`PATCH /v1/conversations/{id}`); null goes back to its first message. */
export async function renameConversation(conversationId: string, title: string | null): Promise<void> {
  const response = await authorizedFetch(`/v1/conversations/${encodeURIComponent(conversationId)}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  await throwUnlessOk(response);
}
