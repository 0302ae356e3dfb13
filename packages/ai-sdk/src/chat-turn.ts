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
import { foldReply } from "./fold-message.ts";
import type { FollowOutcome } from "./follow-turn.ts";
import { EventGrouping } from "./group-events.ts";
import { loadUIMessages } from "./load-ui-messages.ts";
import { messageChunks } from "./message-chunks.ts";
import { persistUIMessageStream, type StoredReply } from "./persist-ui-message-stream.ts";
import { assertUIMessage, saveUIMessage } from "./save-ui-message.ts";
import { MESSAGE_START_KIND, stringExtra, UI_EXTRA } from "./stored-extra.ts";
import type { OwnTurn, TakeOutcome } from "./take-turn.ts";
import { DEFAULT_CLAIM_SETTINGS, TurnClaims } from "./turn-claims.ts";
import { TurnEngine } from "./turn-engine.ts";

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
    /**
     * Aborts when the turn is stopped (stopChatTurn, from any process: the reply so far is then
     * stored marked `stopped`), or when another process takes it over (its writes are refused
     * from then on). Pass it to `streamText`.
     */
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
  const turn = turnOf(conversationId, message.id);
  const messageId = turnMessageId((options.generateMessageId ?? generateId)());
  return fromOutcome(options, turn, await engineOf(options).open(turn, { messageId }));
}

/** A ChatTurn for what the engine decided: replay, follow, finalize what was left, or generate. */
async function fromOutcome(options: ChatTurnOptions, turn: TurnKey, outcome: TakeOutcome): Promise<ChatTurn> {
  // Answered: replayed from the rows the engine just read, without reading them again.
  if (outcome.kind === "answered") return follow(options, turn.userRequestId, { answered: outcome });
  if (outcome.kind === "held") return follow(options, turn.userRequestId);
  if (outcome.left.length > 0) {
    // A generator that died left rows behind: stored as its reply, interrupted, then replayed.
    await engineOf(options).finalizeLeft(turn, outcome);
    return follow(options, turn.userRequestId);
  }
  return generateOwn(options, turn, outcome);
}

/** This process holds the user turn's claim and nothing was stored for it: generate the reply. */
async function generateOwn(options: ChatTurnOptions, turn: TurnKey, own: OwnTurn): Promise<ChatTurn> {
  const { repo, conversationId } = options;
  const engine = engineOf(options);
  let stop: { signal: AbortSignal; dispose: () => void } | undefined;
  try {
    await recordStart(
      repo,
      conversationId,
      turn.userRequestId,
      own.messageId,
      replyStartKey(turn.userRequestId),
    );
    const history = await modelHistory(options, own.messageId);
    // A stop recorded for the turn, from any process, ends the generation (stopChatTurn).
    stop = engine.watchStop(turn);
    const generated = await generate(options, history, turn.userRequestId, own.messageId, undefined, {
      ownerId: engine.claims.ownerId,
      lost: own.lost,
      stop: stop.signal,
    });
    // The claim is held while the reply is generated and stored, then let go either way
    // (before `stored` settles, so whoever awaits it finds the turn free).
    const watching = stop;
    const stored = generated.stored.finally(() => {
      watching.dispose();
      return engine.release(turn);
    });
    stored.catch(() => {}); // a failure is the caller's through `stored`; never unhandled here
    return { ...generated, stored };
  } catch (error) {
    stop?.dispose();
    await engine.release(turn);
    throw error;
  }
}

/** The turn engine of `options.repo` in this process: one per claims (the ones passed in, or the repository's). */
const engines = new WeakMap<TurnClaims, TurnEngine>();
const defaultClaims = new WeakMap<ChatRepository, TurnClaims>();
function engineOf(options: Pick<ChatTurnOptions, "repo" | "claims">): TurnEngine {
  let claims = options.claims ?? defaultClaims.get(options.repo);
  if (!claims) {
    claims = new TurnClaims(options.repo, DEFAULT_CLAIM_SETTINGS);
    defaultClaims.set(options.repo, claims);
  }
  let engine = engines.get(claims);
  if (!engine || engine.repo !== options.repo) {
    engine = new TurnEngine({ repo: options.repo, claims, followPollMs: POLL_MS });
    engines.set(claims, engine);
  }
  return engine;
}

function turnOf(conversationId: string, userRequestId: string): TurnKey {
  return { conversationId, userRequestId, attempt: 1 };
}

async function continuation(options: ChatTurnOptions, message: UIMessage): Promise<ChatTurn> {
  const { repo, conversationId } = options;
  const turnKey = continuationRequestId(message.id, message.parts.length);
  // The same continuation again (a retry): follow or replay it, whatever the message is now.
  if ((await repo.getEventByRequestId(conversationId, turnKey)) !== null)
    return follow(options, turnKey, { takesOver: false });
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
  if (!claimed) return follow(options, turnKey, { takesOver: false });
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
  held?: { ownerId: string; lost: AbortSignal; stop: AbortSignal },
): Promise<ChatTurn> {
  // A refused write (the claim went to another process) ends the model call too.
  const refused = new AbortController();
  const source = await options.generate({
    messages: history,
    messageId,
    ...(held ? { abortSignal: AbortSignal.any([held.lost, held.stop, refused.signal]) } : {}),
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
    ...(held ? { ownerId: held.ownerId, stop: held.stop } : {}),
  });
  persisted.lost.addEventListener("abort", () => refused.abort(persisted.lost.reason), { once: true });
  return { messageId, source: "model", stream: persisted.stream, stored: persisted.stored };
}

/**
 * A retry, or a request for a turn another generator holds: the reply stored for `turnKey`,
 * replayed once it is there. When the followed generator turns out to be gone, this request
 * takes the turn over (finalizes what it left, or generates it when it left nothing).
 */
async function follow(
  options: ChatTurnOptions,
  turnKey: string,
  {
    takesOver = true,
    answered,
  }: { takesOver?: boolean; answered?: FollowOutcome & { kind: "answered" } } = {},
): Promise<ChatTurn> {
  const { repo, conversationId } = options;
  const turn = turnOf(conversationId, turnKey);
  const engine = engineOf(options);
  const deadline = Date.now() + (options.followTimeoutMs ?? 120_000);
  const events = answered?.events ?? (await repo.getTurnEvents(conversationId, turnKey));
  const start = events.find((e) => e.type === "meta" && stringExtra(e, UI_EXTRA.kind) === MESSAGE_START_KIND);
  // The start row names the assistant message; before it is written, the turn's claim does.
  const messageId =
    (start ? stringExtra(start, UI_EXTRA.messageId) : null) ??
    (await repo.getTurnClaim(turn))?.messageId ??
    null;
  let settle!: (reply: Promise<StoredReply | null>) => void;
  const stored = new Promise<StoredReply | null>((resolve) => {
    settle = resolve;
  });
  const stream = new ReadableStream<UIMessageChunk>({
    async start(controller) {
      try {
        if (messageId !== null) controller.enqueue({ type: "start", messageId });
        let outcome: FollowOutcome = answered ?? (await engine.follow(turn, { deadline, takesOver }));
        if (outcome.kind === "own" && outcome.left.length > 0) {
          await engine.finalizeLeft(turn, outcome);
          outcome = await engine.follow(turn, { deadline, takesOver: false });
        }
        if (outcome.kind === "own") {
          // The followed generator died before storing anything: this request generates the reply.
          const generated = await generateOwn(options, turn, outcome);
          settle(generated.stored);
          await pipeAfterStart(generated.stream, controller, messageId !== null);
          return;
        }
        settle(Promise.resolve(null));
        const reply = outcome.kind === "answered" ? storedReply(outcome.events, messageId) : null;
        if (reply === null) {
          controller.enqueue({ type: "error", errorText: "the reply to this message is not stored yet" });
          controller.close();
          return;
        }
        // The turn's own events fold to its own parts: the whole reply, or what a continuation added.
        const chunks = messageChunks(reply);
        for (const chunk of messageId !== null ? chunks.slice(1) : chunks) controller.enqueue(chunk);
        controller.close();
      } catch (error) {
        settle(Promise.resolve(null));
        controller.error(error);
      }
    },
  });
  return { messageId: messageId ?? "", source: "stored", stream, stored };
}

/** Copies `from` into `controller`, without its `start` chunk when one was sent already. */
async function pipeAfterStart(
  from: ReadableStream<UIMessageChunk>,
  controller: ReadableStreamDefaultController<UIMessageChunk>,
  started: boolean,
): Promise<void> {
  for await (const chunk of from) {
    if (started && chunk.type === "start") continue;
    controller.enqueue(chunk);
  }
  controller.close();
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

export interface StopChatTurnOptions {
  repo: ChatRepository;
  conversationId: string;
  /** The user message id whose reply to stop (default: the conversation's turn in flight). */
  requestId?: string;
  /** The claims streamChatTurn was given, if any (they name this process's engine). */
  claims?: TurnClaims;
}

/**
 * Stops the reply being generated in a conversation, by whichever process generates it: the stop
 * is recorded in the database, the holder's `abortSignal` aborts within a quarter of a second
 * (at once in this process), and what was generated is stored as the reply, marked `stopped`.
 * NO_TURN_IN_FLIGHT when nothing is generating (a continuation, whose claim is its start row,
 * cannot be stopped this way). Returns the stopped turn.
 */
export function stopChatTurn(options: StopChatTurnOptions): Promise<TurnKey> {
  const { repo, conversationId, requestId, claims } = options;
  const engine = engineOf(claims ? { repo, claims } : { repo });
  return engine.stop(conversationId, requestId);
}
