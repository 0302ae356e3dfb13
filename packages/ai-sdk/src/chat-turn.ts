import {
  type ChatEvent,
  ChatlogError,
  type ChatRepository,
  continuationRequestId,
  type JsonObject,
  replyStartKey,
} from "@chatlog/core";
import { createUIMessageStreamResponse, generateId, type UIMessage, type UIMessageChunk } from "ai";
import { foldReply } from "./fold-message.ts";
import { EventGrouping } from "./group-events.ts";
import { loadUIMessages } from "./load-ui-messages.ts";
import { messageChunks } from "./message-chunks.ts";
import { persistUIMessageStream, type StoredReply } from "./persist-ui-message-stream.ts";
import { assertUIMessage, saveUIMessage } from "./save-ui-message.ts";
import { MESSAGE_START_KIND, stringExtra, UI_EXTRA } from "./stored-extra.ts";

/** What `generate` may return: a `streamText` result, or any UI message stream. */
export type UIStreamSource =
  | ReadableStream<UIMessageChunk>
  | {
      toUIMessageStream(options?: {
        originalMessages?: UIMessage[];
        generateMessageId?: () => string;
      }): ReadableStream<UIMessageChunk>;
    };

export interface ChatTurnOptions {
  repo: ChatRepository;
  conversationId: string;
  /**
   * The message the client sent (the last of `useChat`'s messages): a new user message, or the
   * stored assistant message it continues, with tool approvals answered or client tool outputs.
   */
  message: unknown;
  /** Called only when the model must run: the stored conversation, as the model should see it. */
  generate: (input: { messages: UIMessage[]; messageId: string }) => UIStreamSource | Promise<UIStreamSource>;
  generateMessageId?: () => string;
  /** Stored as the events' model. */
  model?: string | null;
  /** How many recent messages `generate` gets (default: all). */
  historyLimit?: number;
  /** How long a retry waits for a reply another request is still generating (default 120 s). */
  followTimeoutMs?: number;
}

export interface ChatTurn {
  /** The assistant message id, announced by the stream's `start` chunk and stored. */
  messageId: string;
  /** "model": generated now; "stored": a retry, replayed from storage with no model call. */
  source: "model" | "stored";
  stream: ReadableStream<UIMessageChunk>;
  /** Settles once the reply is stored. */
  stored: Promise<StoredReply | null>;
}

const POLL_MS = 50;

/**
 * One chat request of an AI SDK app with its own route, persisted the way chatlog persists
 * turns, exactly once per user message id:
 *
 * - a new user message is stored (its id is the turn's key), the assistant id is fixed and
 *   recorded before the model runs, `generate` streams the reply, which is persisted as it
 *   streams and compacted at the end (see persistUIMessageStream);
 * - the same user message again (a retry) calls no model: the stored reply is replayed, or, while
 *   another request is still generating it, replayed as soon as it is stored;
 * - the last assistant message sent back with tool approvals answered continues that message:
 *   the continuation is appended to it, exactly once per continuation.
 *
 * Bad input throws ChatlogError (INVALID_ARGUMENT) before anything is written.
 */
export async function streamChatTurn(options: ChatTurnOptions): Promise<ChatTurn> {
  const message = await assertUIMessage(options.message);
  if (message.role === "user") return userTurn(options, message);
  if (message.role === "assistant") return continuation(options, message);
  throw new ChatlogError(
    "INVALID_ARGUMENT",
    "message must be a user message or an assistant message to continue",
    {
      details: { field: "message.role", conversationId: options.conversationId },
    },
  );
}

/** streamChatTurn answered as the UI message stream protocol (SSE). */
export async function chatTurnResponse(options: ChatTurnOptions): Promise<Response> {
  const turn = await streamChatTurn(options);
  return createUIMessageStreamResponse({ stream: turn.stream, headers: { "x-chatlog-source": turn.source } });
}

async function userTurn(options: ChatTurnOptions, message: UIMessage): Promise<ChatTurn> {
  const { repo, conversationId } = options;
  await saveUIMessage(repo, conversationId, message);
  // Answered already, or being answered (by this helper or a server turn): no second generation.
  if ((await repo.getTurnEvents(conversationId, message.id)).length > 0) return follow(options, message.id);
  const messageId = (options.generateMessageId ?? generateId)();
  const claimed = await recordStart(repo, conversationId, message.id, messageId, replyStartKey(message.id));
  if (!claimed) return follow(options, message.id);
  const history = await modelHistory(options, messageId);
  return generate(options, history, message.id, messageId, undefined);
}

async function continuation(options: ChatTurnOptions, message: UIMessage): Promise<ChatTurn> {
  const { repo, conversationId } = options;
  const history = await modelHistory(options, message.id);
  if (history.at(-1)?.id !== message.id) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "an assistant message can be continued only when it is the conversation's last message",
      { details: { field: "message.id", conversationId } },
    );
  }
  const turnKey = continuationRequestId(message.id, message.parts.length);
  const claimed = await recordStart(repo, conversationId, turnKey, message.id, turnKey);
  if (!claimed) return follow(options, turnKey);
  return generate(options, [...history.slice(0, -1), message], turnKey, message.id, message);
}

/**
 * Records the assistant message id before the first chunk, where any process can read it: the
 * meta row a reply begins with. Its idempotency key makes it the turn's claim as well.
 */
async function recordStart(
  repo: ChatRepository,
  conversationId: string,
  turnKey: string,
  messageId: string,
  requestId: string,
): Promise<boolean> {
  const extra: JsonObject = {
    kind: MESSAGE_START_KIND,
    request_id: requestId,
    user_request_id: turnKey,
    message_id: messageId,
  };
  const { added } = await repo.addEvent({
    conversationId,
    type: "meta",
    role: "assistant",
    content: null,
    extra,
  });
  return added;
}

/** The stored conversation for the model, without the reply being started. */
async function modelHistory(options: ChatTurnOptions, messageId: string): Promise<UIMessage[]> {
  const loadOptions = options.historyLimit === undefined ? {} : { limit: options.historyLimit };
  const { messages } = await loadUIMessages(options.repo, options.conversationId, loadOptions);
  return messages.filter((m) => !(m.id === messageId && m.parts.length === 0));
}

async function generate(
  options: ChatTurnOptions,
  history: UIMessage[],
  turnKey: string,
  messageId: string,
  continues: UIMessage | undefined,
): Promise<ChatTurn> {
  const source = await options.generate({ messages: history, messageId });
  const stream =
    source instanceof ReadableStream
      ? source
      : source.toUIMessageStream({ originalMessages: history, generateMessageId: () => messageId });
  const persisted = persistUIMessageStream({
    repo: options.repo,
    conversationId: options.conversationId,
    turnKey,
    messageId,
    stream,
    model: options.model ?? null,
    ...(continues ? { continues } : {}),
  });
  return { messageId, source: "model", stream: persisted.stream, stored: persisted.stored };
}

/** A retry: the reply stored for `turnKey`, replayed once it is there. */
async function follow(options: ChatTurnOptions, turnKey: string): Promise<ChatTurn> {
  const { repo, conversationId } = options;
  const deadline = Date.now() + (options.followTimeoutMs ?? 120_000);
  let events = await repo.getTurnEvents(conversationId, turnKey);
  const start = events.find((e) => e.type === "meta" && stringExtra(e, UI_EXTRA.kind) === MESSAGE_START_KIND);
  const messageId = start ? stringExtra(start, UI_EXTRA.messageId) : null;
  const stream = new ReadableStream<UIMessageChunk>({
    async start(controller) {
      if (messageId !== null) controller.enqueue({ type: "start", messageId });
      while (!events.some((e) => e.type === "assistant_message") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        events = await repo.getTurnEvents(conversationId, turnKey);
      }
      const reply = storedReply(events, messageId);
      if (reply === null) {
        controller.enqueue({ type: "error", errorText: "the reply to this message is not stored yet" });
        controller.close();
        return;
      }
      // The turn's own events fold to its own parts: the whole reply, or what a continuation added.
      const chunks = messageChunks(reply);
      for (const chunk of messageId !== null ? chunks.slice(1) : chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return { messageId: messageId ?? "", source: "stored", stream, stored: Promise.resolve(null) };
}

/** The message one turn's events (in seq order) stored, or null before its reply is stored. */
function storedReply(events: ChatEvent[], messageId: string | null): UIMessage | null {
  const reply = events.findLast((e) => e.type === "assistant_message");
  if (reply === undefined) return null;
  const grouping = new EventGrouping(events);
  const key = grouping.keyOf(reply);
  const id = messageId ?? stringExtra(reply, UI_EXTRA.messageId) ?? reply.id;
  return foldReply(
    id,
    events.filter((e) => grouping.keyOf(e) === key),
  );
}
