import {
  type ChatEvent,
  ChatlogError,
  type ChatRepository,
  continuationRequestId,
  type JsonObject,
  replyStartKey,
  type TurnKey,
  turnMessageId,
} from "@chatlog/core";
import { createUIMessageStreamResponse, generateId, type UIMessage, type UIMessageChunk } from "ai";
import { continuationOf, type ToolsByName } from "./continuation.ts";
import { finalizeAbandoned } from "./finalize-abandoned.ts";
import { foldReply } from "./fold-message.ts";
import { EventGrouping } from "./group-events.ts";
import { loadUIMessages } from "./load-ui-messages.ts";
import { messageChunks } from "./message-chunks.ts";
import { persistUIMessageStream, type StoredReply } from "./persist-ui-message-stream.ts";
import { assertUIMessage, saveUIMessage } from "./save-ui-message.ts";
import { MESSAGE_START_KIND, stringExtra, UI_EXTRA } from "./stored-extra.ts";
import { DEFAULT_CLAIM_SETTINGS, TurnClaims } from "./turn-claims.ts";

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
  generate: (input: {
    messages: UIMessage[];
    messageId: string;
    /** Aborts when another process takes the turn over (its writes are refused from then on). */
    abortSignal?: AbortSignal;
  }) => UIStreamSource | Promise<UIStreamSource>;
  /**
   * Makes the unique part of a new reply's id (default: the AI SDK's generateId). The stored id
   * is chatlog's turnMessageId of it (`chatlog:msg:<id>`), so no user message can take it.
   */
  generateMessageId?: () => string;
  /**
   * The tools `generate` gives the model (a ToolSet). A continuation may carry outputs only for
   * calls of the tools declared here without `execute` (answered by the client); without it,
   * only approval answers are taken from a continuation.
   */
  tools?: ToolsByName;
  /** Stored as the events' model. */
  model?: string | null;
  /** How many recent messages `generate` gets (default: all). */
  historyLimit?: number;
  /** How long a retry waits for a reply another request is still generating (default 120 s). */
  followTimeoutMs?: number;
  /**
   * The turn claims of this process (one per repository, shared by its requests; default: one
   * made on first use with DEFAULT_CLAIM_SETTINGS). A reply is generated only by the claim's
   * holder; a holder that stops heartbeating (it crashed) is taken over by the next retry, which
   * stores what it left as an interrupted reply.
   */
  claims?: TurnClaims;
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
  // Answered already: replay, no model call.
  if (hasReply(await repo.getTurnEvents(conversationId, message.id))) return follow(options, message.id);
  const claims = claimsOf(options);
  const key = turnOf(conversationId, message.id);
  const taken = await claims.take(key, turnMessageId((options.generateMessageId ?? generateId)()));
  // Being answered by a live holder (this helper in another process, or a server turn): follow it.
  if (!taken.acquired) return follow(options, message.id);
  const messageId = taken.claim.messageId;
  // Read again now that the claim is ours: a generator that died left its rows behind.
  const left = await repo.getTurnEvents(conversationId, message.id);
  if (left.length > 0) {
    if (!hasReply(left)) await finalizeAbandoned(repo, { ...key, ownerId: claims.ownerId }, messageId);
    await claims.release(key);
    return follow(options, message.id);
  }
  await recordStart(repo, conversationId, message.id, messageId, replyStartKey(message.id));
  const history = await modelHistory(options, messageId);
  const turn = await generate(options, history, message.id, messageId, undefined, {
    ownerId: claims.ownerId,
    lost: taken.lost,
  });
  // The claim is held while the reply is generated and stored, then let go either way.
  void turn.stored.then(
    () => claims.release(key),
    () => claims.release(key),
  );
  return turn;
}

/** The claims of `options.repo` in this process: the ones passed in, else one set per repository. */
const defaultClaims = new WeakMap<ChatRepository, TurnClaims>();
function claimsOf(options: ChatTurnOptions): TurnClaims {
  if (options.claims) return options.claims;
  let claims = defaultClaims.get(options.repo);
  if (!claims) {
    claims = new TurnClaims(options.repo, DEFAULT_CLAIM_SETTINGS);
    defaultClaims.set(options.repo, claims);
  }
  return claims;
}

function turnOf(conversationId: string, userRequestId: string): TurnKey {
  return { conversationId, userRequestId, attempt: 1 };
}

function hasReply(events: readonly ChatEvent[]): boolean {
  return events.some((e) => e.type === "assistant_message");
}

async function continuation(options: ChatTurnOptions, message: UIMessage): Promise<ChatTurn> {
  const { repo, conversationId } = options;
  const turnKey = continuationRequestId(message.id, message.parts.length);
  // The same continuation again (a retry): follow or replay it, whatever the message is now.
  if ((await repo.getEventByRequestId(conversationId, turnKey)) !== null)
    return follow(options, turnKey, false);
  const history = await modelHistory(options, message.id);
  const stored = history.at(-1);
  if (stored?.id !== message.id || stored.role !== "assistant") {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "an assistant message can be continued only when it is the conversation's last message",
      { details: { field: "message.id", conversationId } },
    );
  }
  // The stored message with what the client may add to it; the client's copy is not trusted.
  const continued = continuationOf(stored, message, options.tools);
  const claimed = await recordStart(repo, conversationId, turnKey, message.id, turnKey);
  // A continuation's claim is its start row (no heartbeat): it is followed, never taken over.
  if (!claimed) return follow(options, turnKey, false);
  return generate(options, [...history.slice(0, -1), continued], turnKey, message.id, { continued, stored });
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
  continues: { continued: UIMessage; stored: UIMessage } | undefined,
  held?: { ownerId: string; lost: AbortSignal },
): Promise<ChatTurn> {
  const source = await options.generate({
    messages: history,
    messageId,
    ...(held ? { abortSignal: held.lost } : {}),
  });
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
    ...(continues ? { continues: continues.continued, storedMessage: continues.stored } : {}),
    ...(held ? { ownerId: held.ownerId } : {}),
  });
  return { messageId, source: "model", stream: persisted.stream, stored: persisted.stored };
}

/** A retry: the reply stored for `turnKey`, replayed once it is there. */
async function follow(options: ChatTurnOptions, turnKey: string, takesOver = true): Promise<ChatTurn> {
  const { repo, conversationId } = options;
  const claims = claimsOf(options);
  const deadline = Date.now() + (options.followTimeoutMs ?? 120_000);
  let events = await repo.getTurnEvents(conversationId, turnKey);
  const start = events.find((e) => e.type === "meta" && stringExtra(e, UI_EXTRA.kind) === MESSAGE_START_KIND);
  // The start row names the assistant message; before it is written, the turn's claim does.
  const messageId =
    (start ? stringExtra(start, UI_EXTRA.messageId) : null) ??
    (await repo.getTurnClaim(turnOf(conversationId, turnKey)))?.messageId ??
    null;
  const stream = new ReadableStream<UIMessageChunk>({
    async start(controller) {
      if (messageId !== null) controller.enqueue({ type: "start", messageId });
      let nextClaimCheck = Date.now() + claims.settings.heartbeatMs;
      while (!hasReply(events) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        events = await repo.getTurnEvents(conversationId, turnKey);
        if (hasReply(events) || !takesOver || Date.now() < nextClaimCheck) continue;
        nextClaimCheck = Date.now() + claims.settings.heartbeatMs;
        // The generator being followed may be gone (crashed): then this retry takes its claim
        // over and stores what it left, interrupted, and replays that.
        if (await takeOverIfGone(options, claims, turnKey, messageId)) {
          events = await repo.getTurnEvents(conversationId, turnKey);
        }
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

/**
 * When the claim on a followed user turn is gone or stale and nothing answers it, takes it
 * over and finalizes what the gone generator left. True when a reply may now be stored.
 */
async function takeOverIfGone(
  options: ChatTurnOptions,
  claims: TurnClaims,
  turnKey: string,
  messageId: string | null,
): Promise<boolean> {
  const key = turnOf(options.conversationId, turnKey);
  const claim = await options.repo.getTurnClaim(key);
  if (claim !== null && !claims.isAbandoned(claim)) return false;
  const taken = await claims.take(key, claim?.messageId ?? messageId ?? turnMessageId(generateId()));
  if (!taken.acquired) return false;
  try {
    const left = await options.repo.getTurnEvents(options.conversationId, turnKey);
    if (left.length > 0 && !hasReply(left)) {
      await finalizeAbandoned(options.repo, { ...key, ownerId: claims.ownerId }, taken.claim.messageId);
    }
  } finally {
    await claims.release(key);
  }
  return true;
}
