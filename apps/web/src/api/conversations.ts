import { getJson } from "./http.ts";

export interface ConversationSummary {
  conversationId: string;
  createdAt: string;
  lastActivityAt: string;
  eventCount: number;
  /** The start of the first user message (null until there is one). */
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
