// A TypeScript consumer of the installed packages' public types, checked with
// `tsc --noEmit --strict` (no skipLibCheck: the shipped .d.ts files are checked too). The lines
// marked as expected errors must be errors: if a type had decayed to `any`, tsc would fail there.
import { loadUIMessages, type SaveUIMessageResult, saveUIMessage, type UIMessagePage } from "@chatlog/ai-sdk";
import {
  type BetterSqlite3RepositoryOptions,
  openChatRepository as openBetterSqlite3,
} from "@chatlog/better-sqlite3";
import {
  type AddEventResult,
  assistantReplyKey,
  type ChatEvent,
  ChatlogError,
  type ChatRepository,
  type LlmMessage,
  type NewChatEvent,
} from "@chatlog/core";
import { type LibsqlRepositoryOptions, openChatRepository as openLibsql } from "@chatlog/libsql";

async function turn(repo: ChatRepository, conversationId: string, requestId: string): Promise<LlmMessage[]> {
  const fresh: boolean = await repo.handleUserMessagePersistence(conversationId, "Hello!", requestId);
  const reply: NewChatEvent = {
    conversationId,
    type: "assistant_message",
    role: "assistant",
    content: [{ type: "text", text: fresh ? "Hi!" : "Hi again!" }],
    extra: { request_id: assistantReplyKey(requestId) },
  };
  const result: AddEventResult = await repo.addEvent(reply);
  const event: ChatEvent = result.event;
  const seq: number = event.seq;
  // @ts-expect-error seq is a number, not a string
  const wrong: string = event.seq;
  void wrong;
  void seq;
  return repo.buildLlmConversation(conversationId, "What next?", "You are helpful.");
}

/** The AI SDK package: UIMessages saved and loaded, typed by the `ai` package's UIMessage. */
async function uiMessages(repo: ChatRepository): Promise<string[]> {
  const saved: SaveUIMessageResult = await saveUIMessage(repo, "chat-1", {
    id: "m1",
    role: "user",
    parts: [{ type: "text", text: "Hello!" }],
  });
  // @ts-expect-error a UIMessage has a role from its union, not any string
  await saveUIMessage(repo, "chat-1", { id: "m2", role: "robot", parts: [] });
  const page: UIMessagePage = await loadUIMessages(repo, "chat-1", { limit: 50 });
  return saved.added ? page.messages.map((message) => message.id) : [];
}

export async function main(): Promise<void> {
  const betterOptions: BetterSqlite3RepositoryOptions = { path: "chat.db", busyTimeoutMs: 5000 };
  const libsqlOptions: LibsqlRepositoryOptions = { url: "file:chat-libsql.db" };
  const repos: ChatRepository[] = [await openBetterSqlite3(betterOptions), await openLibsql(libsqlOptions)];
  for (const repo of repos) {
    try {
      await turn(repo, "conv-1", "req-1");
      await uiMessages(repo);
      // @ts-expect-error an event needs a type and a role
      await repo.addEvent({ conversationId: "conv-1", content: "no type" });
    } catch (error) {
      if (error instanceof ChatlogError) console.error(error.code);
    } finally {
      await repo.close();
    }
  }
  // @ts-expect-error the better-sqlite3 driver takes a path, not a number
  await openBetterSqlite3({ path: 42 });
}
