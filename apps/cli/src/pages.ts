import type { ChatEvent, ChatRepository, ConversationSummary } from "@chatlog/core";

/** Page size for streaming reads: big enough to amortise a query, small enough to keep memory flat. */
export const PAGE_SIZE = 1000;

/** Every event of one conversation in seq order, read a page at a time. */
export async function* conversationEvents(
  repo: ChatRepository,
  conversationId: string,
): AsyncGenerator<ChatEvent> {
  let afterSeq: number | undefined;
  for (;;) {
    const page = await repo.getEvents(conversationId, {
      limit: PAGE_SIZE,
      ...(afterSeq === undefined ? {} : { afterSeq }),
    });
    yield* page;
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE_SIZE) return;
    afterSeq = last.seq;
  }
}

/** Every conversation, most recently active first, read a page at a time. */
export async function* allConversations(repo: ChatRepository): AsyncGenerator<ConversationSummary> {
  let cursor: string | null = null;
  do {
    const page = await repo.listConversations({ limit: PAGE_SIZE, cursor });
    yield* page.conversations;
    cursor = page.nextCursor;
  } while (cursor !== null);
}
