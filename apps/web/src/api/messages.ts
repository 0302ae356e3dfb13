import type { UIMessage } from "ai";
import { ApiError, getJson } from "./http.ts";

export interface MessagePage {
  messages: UIMessage[];
  /** Pass back to load the messages before these; null when these are the oldest. */
  olderCursor: string | null;
}

interface MessagesBody {
  messages: UIMessage[];
  nextCursor?: string | null;
}

/**
 * The most recent `limit` stored messages of a conversation (`GET /api/chat/{id}/messages`),
 * or the page before `cursor`. A conversation with nothing stored yet is an empty page.
 */
export async function loadMessages(
  conversationId: string,
  options: { limit: number; cursor?: string | null },
  signal?: AbortSignal,
): Promise<MessagePage> {
  const query = new URLSearchParams({ limit: String(options.limit) });
  if (options.cursor) query.set("cursor", options.cursor);
  try {
    const body = await getJson<MessagesBody>(
      `/api/chat/${encodeURIComponent(conversationId)}/messages?${query}`,
      signal,
    );
    return { messages: body.messages, olderCursor: body.nextCursor ?? null };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { messages: [], olderCursor: null };
    throw error;
  }
}
