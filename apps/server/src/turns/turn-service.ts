import { ASSISTANT_DELTA_KIND, ChatlogError, type ChatRepository } from "@chatlog/core";
import type { Logger } from "../logging.ts";
import type { LanguageModelV3 } from "../models/model-types.ts";
import { followOtherProcess } from "./follow-other-process.ts";
import { generateReply } from "./generate.ts";
import { replayStored } from "./replay-stored.ts";
import { TurnBroadcast } from "./turn-broadcast.ts";
import { NullTurnStore, RepositoryTurnStore, type TurnStore } from "./turn-store.ts";

export interface TurnServiceOptions {
  repo: ChatRepository;
  model: LanguageModelV3;
  modelId: string;
  systemPrompt: string;
  logger: Logger;
  /** false: deltas and replies are not written (benchmark baseline). */
  persistDeltas: boolean;
  followPollMs: number;
  followStaleMs: number;
}

export interface OpenedTurn {
  events: TurnBroadcast;
  /** true when this request attached to a turn already running in this process. */
  joined: boolean;
}

interface LiveTurn {
  events: TurnBroadcast;
  abort: AbortController;
  done: Promise<void>;
}

/** Thrown while the server is shutting down; the route answers 503. */
export class ShuttingDownError extends Error {
  override readonly name = "ShuttingDownError";
}

/**
 * Runs turns. Each (conversation, request id) has at most one live turn in this process: a
 * retry that arrives while it runs reads the same events (one model call in total). A turn runs
 * on its own, detached from any HTTP response, until its reply is stored.
 */
export class TurnService {
  private readonly live = new Map<string, LiveTurn>();
  private closing = false;

  constructor(private readonly options: TurnServiceOptions) {}

  get inFlight(): number {
    return this.live.size;
  }

  open(conversationId: string, requestId: string, content: string): OpenedTurn {
    const key = JSON.stringify([conversationId, requestId]);
    const running = this.live.get(key);
    if (running) return { events: running.events, joined: true };
    if (this.closing) throw new ShuttingDownError("the server is shutting down");

    // Registered before the first await, so a duplicate arriving during the database calls
    // below finds this turn instead of starting a second one.
    const events = new TurnBroadcast();
    const abort = new AbortController();
    const turn: LiveTurn = { events, abort, done: Promise.resolve() };
    this.live.set(key, turn);
    turn.done = this.run(conversationId, requestId, content, events, abort.signal)
      .catch((error: unknown) => {
        this.options.logger.error("turn failed", { conversationId, requestId, error });
        const code = error instanceof ChatlogError ? error.code : "INTERNAL";
        events.push({ type: "error", code, message: (error as Error)?.message ?? String(error) });
      })
      .finally(() => {
        events.finish();
        this.live.delete(key);
      });
    return { events, joined: false };
  }

  private async run(
    conversationId: string,
    requestId: string,
    content: string,
    out: TurnBroadcast,
    signal: AbortSignal,
  ): Promise<void> {
    const { repo, logger } = this.options;
    const storedNow = await repo.handleUserMessagePersistence(conversationId, content, requestId);
    if (!storedNow) {
      const reply = await repo.getExistingAssistantResponse(conversationId, requestId);
      if (reply) {
        logger.debug("replaying a stored reply", { conversationId, requestId });
        await replayStored(repo, reply, out);
        return;
      }
      const events = await repo.getTurnEvents(conversationId, requestId);
      if (events.some((e) => e.type === "meta" && e.extra.kind === ASSISTANT_DELTA_KIND)) {
        // Deltas but no reply, and not running here: another process is generating it.
        await followOtherProcess(repo, conversationId, requestId, out, {
          pollMs: this.options.followPollMs,
          staleMs: this.options.followStaleMs,
          signal,
        });
        return;
      }
      // Stored before but never answered (an earlier attempt failed before its first delta).
    }
    out.push({ type: "ready", replay: false, source: "model" });
    const outcome = await generateReply({
      repo,
      model: this.options.model,
      systemPrompt: this.options.systemPrompt,
      conversationId,
      userRequestId: requestId,
      content,
      store: this.store(conversationId, requestId),
      out,
      signal,
    });
    const log = outcome.status === "completed" ? logger.debug : logger.warn;
    log(`turn ${outcome.status}`, {
      conversationId,
      requestId,
      chars: outcome.text.length,
      error: outcome.error,
    });
  }

  private store(conversationId: string, requestId: string): TurnStore {
    if (!this.options.persistDeltas) return new NullTurnStore();
    return new RepositoryTurnStore(this.options.repo, conversationId, requestId, this.options.modelId);
  }

  /**
   * Shutdown: refuses new turns, waits up to `timeoutMs` for the running ones, then aborts the
   * rest, which store what they have as interrupted replies.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.closing = true;
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
  }
}
