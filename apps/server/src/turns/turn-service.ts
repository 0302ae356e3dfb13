import { randomUUID } from "node:crypto";
import {
  assertUserMessageIdFree,
  attemptOf,
  isDelta,
  messageIdOf,
  type OwnTurn,
  replyOf,
  type TakeOutcome,
  TurnEngine,
} from "@chatlog/ai-sdk";
import {
  type ChatEvent,
  ChatlogError,
  type ChatRepository,
  contentToText,
  type TurnKey,
  turnMessageId,
} from "@chatlog/core";
import type { Logger } from "../logging.ts";
import type { LanguageModelV4 } from "../models/model-types.ts";
import { generateReply } from "./generate.ts";
import { assertRegeneratesLastReply } from "./regenerate-last.ts";
import { emitStoredEvent, replayStored, storedDone } from "./replay-stored.ts";
import { TurnBroadcast } from "./turn-broadcast.ts";
import { type ClaimSettings, serverTurnClaims } from "./turn-claims.ts";
import type { TurnEvent } from "./turn-events.ts";
import { NullTurnStore, RepositoryTurnStore, type TurnStore } from "./turn-store.ts";

export interface TurnServiceOptions {
  repo: ChatRepository;
  model: LanguageModelV4;
  modelId: string;
  systemPrompt: string;
  logger: Logger;
  /** false: deltas and replies are not written, and no claims are taken (benchmark baseline). */
  persistDeltas: boolean;
  followPollMs: number;
  claims: ClaimSettings;
}

/** What to answer: the user message's turn, or a new reply to it (AI SDK "regenerate-message"). */
export interface TurnRequest {
  conversationId: string;
  /** The user message's request id (an AI SDK user message id): the idempotency key. */
  requestId: string;
  content: string;
  /**
   * Regenerate: a new reply (attempt n + 1) to the user message whose current reply is the
   * assistant message `messageId` (attempt n); the latest reply when messageId is unknown. The
   * same request retried finds attempt n + 1 and joins or replays it instead of making n + 2.
   */
  regenerate?: { messageId?: string | undefined };
}

export interface OpenedTurn {
  events: TurnBroadcast;
  /** true when this request attached to a turn already running in this process. */
  joined: boolean;
}

interface LiveTurn {
  conversationId: string;
  events: TurnBroadcast;
  abort: AbortController;
  done: Promise<void>;
}

/** How often a generating holder looks for a stop recorded by another process (well under a second). */
const STOP_POLL_MS = 250;

/** Thrown while the server is shutting down; the route answers 503. */
export class ShuttingDownError extends Error {
  override readonly name = "ShuttingDownError";
}

/**
 * The server's driver of the turn engine (@chatlog/ai-sdk's TurnEngine, which streamChatTurn
 * drives too), behind both protocols (/v1 SSE and the AI SDK UI message stream): it generates
 * with the server's model, and shows every outcome as TurnEvents.
 *
 * A turn (conversation, user request id, attempt) is generated at most once across every
 * process on the database: the process that takes its claim runs the model, any other request
 * for it, here or in another process, follows what that generator persists. Within this process
 * a retry arriving while the turn runs reads the same in-memory events. A turn runs on its own,
 * detached from any HTTP response, until its reply is stored.
 */
export class TurnService {
  private readonly live = new Map<string, LiveTurn>();
  private readonly engine: TurnEngine;
  private closing = false;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly options: TurnServiceOptions) {
    this.engine = new TurnEngine({
      repo: options.repo,
      claims: serverTurnClaims(options.repo, options.claims, options.logger),
      followPollMs: options.followPollMs,
      stopPollMs: STOP_POLL_MS,
      logger: options.logger,
    });
  }

  /**
   * Stops the conversation's turn in flight (the one answering `requestId` when given), on
   * whichever process generates it: NO_TURN_IN_FLIGHT when none is. The holder stores what was
   * generated as the reply, marked stopped, within a second.
   */
  async stop(conversationId: string, requestId?: string): Promise<TurnKey> {
    if (this.closing) throw new ShuttingDownError("the server is shutting down");
    return this.engine.stop(conversationId, requestId);
  }

  get inFlight(): number {
    return this.live.size;
  }

  /** This process's claim owner id (logged, and useful to tests). */
  get ownerId(): string {
    return this.engine.claims.ownerId;
  }

  /**
   * Start-up recovery (finalizes only turns whose generator is gone), then the same sweep every
   * half stale period, so a turn abandoned by a crashed process is finalized even if nobody
   * retries it and no server restarts.
   */
  async start(): Promise<number> {
    const recovered = await this.engine.recover();
    const every = Math.max(50, Math.floor(this.options.claims.staleMs / 2));
    let sweeping = false;
    this.sweeper = setInterval(() => {
      if (sweeping || this.closing) return;
      sweeping = true;
      this.engine
        .sweep()
        .catch((error: unknown) => this.options.logger.warn("turn sweep failed", { error }))
        .finally(() => {
          sweeping = false;
        });
    }, every);
    this.sweeper.unref();
    return recovered;
  }

  /**
   * Opens a turn and resolves once its user message is stored (so bad input and conflicts are
   * the route's 4xx, not a stream error); the reply then streams through `events`.
   */
  async open(request: TurnRequest): Promise<OpenedTurn> {
    const { conversationId, requestId, regenerate } = request;
    const key = JSON.stringify([conversationId, requestId, regenerate ? (regenerate.messageId ?? "") : null]);
    const running = this.live.get(key);
    if (running) return { events: running.events, joined: true };
    if (this.closing) throw new ShuttingDownError("the server is shutting down");

    // Registered before the first await, so a duplicate arriving during the database calls
    // below finds this turn instead of starting a second one.
    const events = new TurnBroadcast();
    const abort = new AbortController();
    const turn: LiveTurn = { conversationId, events, abort, done: Promise.resolve() };
    this.live.set(key, turn);
    const persisted = this.persistUserMessage(request);
    const report = (error: unknown) => {
      const code = error instanceof ChatlogError ? error.code : "INTERNAL";
      events.push({ type: "error", code, message: (error as Error)?.message ?? String(error) });
    };
    turn.done = persisted
      .then(
        () =>
          this.answer(request, events, abort.signal).catch((error: unknown) => {
            this.options.logger.error("turn failed", { conversationId, requestId, error });
            report(error);
          }),
        report, // the route answers this one with a 4xx; a duplicate that joined meanwhile sees it too
      )
      .finally(() => {
        events.finish();
        this.live.delete(key);
      });
    await persisted;
    return { events, joined: false };
  }

  /** Stores the user message once (a retry stores nothing); throws for bad input or a conflict. */
  private async persistUserMessage(request: TurnRequest): Promise<void> {
    if (!this.options.persistDeltas) return;
    await assertUserMessageIdFree(this.options.repo, request.conversationId, request.requestId);
    if (request.regenerate) await assertRegeneratesLastReply(this.options.repo, request);
    await this.options.repo.handleUserMessagePersistence(
      request.conversationId,
      request.content,
      request.requestId,
    );
  }

  private async answer(request: TurnRequest, out: TurnBroadcast, signal: AbortSignal): Promise<void> {
    const { repo } = this.options;
    const { conversationId, requestId, content } = request;
    if (!this.options.persistDeltas) {
      const turn = { conversationId, userRequestId: requestId, attempt: 1 };
      const messageId = turnMessageId(randomUUID());
      out.push({ type: "ready", replay: false, source: "model", messageId, attempt: 1 });
      return this.generate(turn, messageId, content, out, signal, null);
    }
    const turnEvents = await repo.getTurnEvents(conversationId, requestId);
    const turn: TurnKey = {
      conversationId,
      userRequestId: requestId,
      attempt: await this.attemptFor(request, turnEvents),
    };
    const opened = await this.engine.open(turn, { turnEvents });
    return this.show(turn, opened, out, signal, content);
  }

  /** Carries out what the engine decided for this request, as TurnEvents. */
  private async show(
    turn: TurnKey,
    outcome: TakeOutcome,
    out: TurnBroadcast,
    signal: AbortSignal,
    content?: string,
  ): Promise<void> {
    switch (outcome.kind) {
      case "answered":
        this.options.logger.debug("replaying a stored reply", { ...turn });
        replayStored(outcome.reply, outcome.events, out);
        return;
      case "held":
        return this.followHolder(turn, outcome.messageId, out, signal, content);
      case "own":
        if (outcome.left.length > 0) {
          // A generator that is gone left rows behind: show them, then finish its reply.
          out.push(followingReady(outcome.messageId, turn.attempt));
          for (const event of outcome.left) emitStoredEvent(event, out);
        } else {
          out.push({
            type: "ready",
            replay: false,
            source: "model",
            messageId: outcome.messageId,
            attempt: turn.attempt,
          });
        }
        return this.ownTurn(turn, outcome, out, signal, content);
    }
  }

  /**
   * This process holds the turn's claim: it finalizes what a gone generator left (already shown
   * to `out`), or generates the reply when nothing was left.
   */
  private async ownTurn(
    turn: TurnKey,
    own: OwnTurn,
    out: TurnBroadcast,
    signal: AbortSignal,
    content?: string,
  ): Promise<void> {
    if (own.left.length > 0) {
      const reply = await this.engine.finalizeLeft(turn, own);
      // Null: the claim was lost before the reply was stored; its new holder stores it.
      if (reply) out.push(storedDone(reply));
      else await this.followHolder(turn, own.messageId, out, signal, content, false);
      return;
    }
    try {
      const text = content ?? (await this.userContent(turn));
      await this.generate(turn, own.messageId, text, out, signal, own.lost);
    } finally {
      await this.engine.release(turn);
    }
  }

  /**
   * The conversation's generation in flight, from its first event then live (AI SDK resume):
   * this process's own broadcast when it runs (or follows) the turn here, else the turn whose
   * claim another process holds, followed from the database. Null when nothing is in flight.
   */
  async resume(conversationId: string): Promise<TurnBroadcast | null> {
    let local: LiveTurn | undefined;
    for (const turn of this.live.values()) if (turn.conversationId === conversationId) local = turn;
    if (local && !local.events.isFinished) return local.events;
    if (this.closing) throw new ShuttingDownError("the server is shutting down");
    const claim = (await this.options.repo.listTurnClaims(conversationId)).at(-1);
    if (!claim) return null;
    const turn: TurnKey = { conversationId, userRequestId: claim.userRequestId, attempt: claim.attempt };
    const key = JSON.stringify(["resume", conversationId, claim.userRequestId, claim.attempt]);
    const running = this.live.get(key);
    if (running) return running.events;
    const events = new TurnBroadcast();
    const abort = new AbortController();
    const live: LiveTurn = { conversationId, events, abort, done: Promise.resolve() };
    this.live.set(key, live);
    live.done = this.followHolder(turn, claim.messageId, events, abort.signal)
      .catch((error: unknown) => {
        this.options.logger.error("resume failed", { ...turn, error });
        const code = error instanceof ChatlogError ? error.code : "INTERNAL";
        events.push({ type: "error", code, message: (error as Error)?.message ?? String(error) });
      })
      .finally(() => {
        events.finish();
        this.live.delete(key);
      });
    return events;
  }

  /** Follows the holder of `turn` from the database; takes the turn over if the holder is gone. */
  private async followHolder(
    turn: TurnKey,
    messageId: string,
    out: TurnBroadcast,
    signal: AbortSignal,
    content?: string,
    announce = true,
  ): Promise<void> {
    if (announce) out.push(followingReady(messageId, turn.attempt));
    let sent = "";
    const outcome = await this.engine.follow(turn, {
      signal,
      onEvent: (event) => {
        if (isDelta(event)) sent += contentToText(event.content);
        emitStoredEvent(event, out);
      },
    });
    switch (outcome.kind) {
      case "answered": {
        const done = storedDone(outcome.reply);
        // Compaction may land between two polls: send whatever of the reply was not yet sent.
        if (done.content.startsWith(sent) && done.content.length > sent.length) {
          out.push({ type: "delta", text: done.content.slice(sent.length) });
        }
        out.push(done);
        return;
      }
      case "own":
        // The holder went away mid-turn and this process took the claim over.
        return this.ownTurn(turn, outcome, out, signal, content);
      default:
        out.push({ type: "error", code: "SHUTTING_DOWN", message: "the server stopped following this turn" });
    }
  }

  private async userMessageStored(turn: TurnKey): Promise<boolean> {
    return (await this.options.repo.getEventByRequestId(turn.conversationId, turn.userRequestId)) !== null;
  }

  private async userContent(turn: TurnKey): Promise<string> {
    const message = await this.options.repo.getEventByRequestId(turn.conversationId, turn.userRequestId);
    return message ? contentToText(message.content) : "";
  }

  private async generate(
    turn: TurnKey,
    messageId: string,
    content: string,
    out: TurnBroadcast,
    signal: AbortSignal,
    lost: AbortSignal | null,
  ): Promise<void> {
    if (this.options.persistDeltas && !(await this.userMessageStored(turn))) {
      // Read with the claim already held: a deletion after this read takes the claim with it (so
      // every write of the generation is refused); one before it is caught here. Either way a
      // deleted conversation gets no reply to a message it no longer has.
      out.push({
        type: "error",
        code: "NOT_FOUND",
        message: "the conversation or its user message was deleted",
      });
      return;
    }
    const stop = this.engine.watchStop(turn);
    const outcome = await generateReply({
      repo: this.options.repo,
      model: this.options.model,
      systemPrompt: this.options.systemPrompt,
      turn,
      content,
      store: this.store(turn, messageId),
      out,
      signal: lost ? AbortSignal.any([signal, lost]) : signal,
      stop: stop.signal,
    }).finally(stop.dispose);
    const log = outcome.status === "completed" ? this.options.logger.debug : this.options.logger.warn;
    log(`turn ${outcome.status}`, { ...turn, chars: outcome.text.length, error: outcome.error });
  }

  /** The attempt a request is about: the current one, or the next for a regeneration. */
  private async attemptFor(request: TurnRequest, turnEvents: readonly ChatEvent[]): Promise<number> {
    const claimed = (await this.options.repo.listTurnClaims(request.conversationId))
      .filter((c) => c.userRequestId === request.requestId)
      .map((c) => c.attempt);
    const latest = Math.max(1, ...turnEvents.map(attemptOf), ...claimed);
    if (!request.regenerate) return latest;
    const target = request.regenerate.messageId;
    const replaced = target === undefined ? undefined : turnEvents.find((e) => messageIdOf(e) === target);
    if (replaced) return attemptOf(replaced) + 1;
    // An unknown (or no) message id: replace the latest reply, if there is one.
    return replyOf(turnEvents, latest) ? latest + 1 : latest;
  }

  private store(turn: TurnKey, messageId: string): TurnStore {
    if (!this.options.persistDeltas) return new NullTurnStore();
    return new RepositoryTurnStore(
      this.options.repo,
      turn,
      messageId,
      this.options.modelId,
      this.engine.claims.ownerId,
    );
  }

  /**
   * Shutdown: refuses new turns, waits up to `timeoutMs` for the running ones, then aborts the
   * rest, which store what they have as interrupted replies.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    const all = () => Promise.allSettled([...this.live.values()].map((t) => t.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.options.logger.warn("shutdown timeout: interrupting turns in flight", { turns: this.live.size });
      for (const turn of this.live.values()) turn.abort.abort(new Error("server shutting down"));
      await all();
    }
    this.engine.claims.close();
  }
}

/** The first item of a request that follows a generation it does not run itself. */
function followingReady(messageId: string, attempt: number): TurnEvent {
  return { type: "ready", replay: true, source: "other-process", messageId, attempt };
}
