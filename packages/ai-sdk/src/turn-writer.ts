import {
  ASSISTANT_DELTA_KIND,
  type ChatEvent,
  type ChatRepository,
  type Content,
  type JsonObject,
  type JsonValue,
  type NewChatEvent,
  toolCallKey,
  toolResultKey,
} from "@chatlog/core";

/** Most deltas folded into one stored row; bounds what a crash can lose at full speed. */
const MAX_DELTAS_PER_ROW = 64;

export interface TurnWriterOptions {
  repo: ChatRepository;
  conversationId: string;
  /** The turn's key: the user request id answered (or an AI SDK continuation key). */
  turnKey: string;
  /** The reply attempt (1 unless regenerated); part of the tool events' keys. */
  attempt?: number;
  /** Carried by every row and merged into the final reply (user_request_id, message_id, ...). */
  extra: JsonObject;
  model: string | null;
  /**
   * The owner id of the turn's claim (chat_turn_claims), when the writer holds one: every write
   * is then conditional on that claim still being this owner's (appendHeld / compactHeld). The
   * first refused write aborts `lost`, and nothing more is written.
   */
  ownerId?: string | null;
}

/** How finish ended. Lost: the claim was gone; `reply` is whatever the turn has stored, if anything. */
export type TurnWriterFinish = { lost: false; reply: ChatEvent } | { lost: true; reply: ChatEvent | null };

/**
 * Writes one streamed reply: text deltas as `meta` rows, each tool call and result as its own
 * event, then the final reply through compaction, which removes the deltas in the same
 * transaction. Shared by the server's turns and @chatlog/ai-sdk's persistUIMessageStream.
 *
 * Nothing here waits for a write before the stream moves on. Deltas produced in the same turn
 * of the event loop are stored as one row (their text concatenated, in order): a fast model
 * emits many deltas per tick, and one row per delta would make the database, not the model, set
 * the pace; readers join the rows' text, so the result is the same. Rows are appended without
 * awaiting: the repository's write queue commits appends issued close together in one
 * transaction (group commit), in call order on every dialect.
 */
export class TurnWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;
  private pending: string[] = [];
  private flushScheduled = false;
  /** accepted() calls waiting for the pending deltas to be issued as a row. */
  private flushWaiters: (() => void)[] = [];
  private readonly lostController = new AbortController();
  private readonly attempt: number;

  constructor(private readonly options: TurnWriterOptions) {
    this.attempt = options.attempt ?? 1;
  }

  /** The first write that failed, if any (finish still stores the final reply). */
  get error(): unknown {
    return this.failure;
  }

  /** Aborted when a write was refused because the turn's claim is no longer this owner's. */
  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  private get held() {
    const { conversationId, turnKey, ownerId } = this.options;
    return ownerId ? { conversationId, userRequestId: turnKey, attempt: this.attempt, ownerId } : null;
  }

  /**
   * Issues one write without waiting for it. The repository stores a conversation's writes in
   * the order they are issued, on every dialect (the write queue's flushes are ordered, and so
   * is each flush per conversation), so a tool result lands after its call and compaction after
   * the deltas it removes; `tail` is what finish() and accepted() wait for.
   */
  private append(event: NewChatEvent): void {
    if (this.lost.aborted) return;
    const run = async (): Promise<void> => {
      if (this.lost.aborted) return;
      const held = this.held;
      if (!held) {
        await this.options.repo.addEvent(event);
        return;
      }
      const result = await this.options.repo.appendHeld(held, event);
      if (!result.held) this.lostController.abort(new Error("the turn's claim was taken over"));
    };
    const settled = run().then(undefined, (error: unknown) => {
      this.failure ??= error;
    });
    this.tail = Promise.all([this.tail, settled]);
  }

  delta(text: string): void {
    if (text.length === 0) return;
    this.pending.push(text);
    if (this.pending.length >= MAX_DELTAS_PER_ROW) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // setImmediate runs once the current burst of stream callbacks (promise jobs) has settled.
      setImmediate(() => this.flush());
    }
  }

  /**
   * Settles once every write issued so far (the pending deltas included) has been answered:
   * true when they were accepted, false once the claim is lost (then nothing more is written).
   * The one rule for when text may reach a client (issue 15, defect 3): only after this says
   * true for the write that carries it, so a client never holds text the turn did not store.
   */
  accepted(): Promise<boolean> {
    const issued =
      this.pending.length > 0 ? new Promise<void>((resolve) => this.flushWaiters.push(resolve)) : undefined;
    return (issued ?? Promise.resolve()).then(() => this.tail).then(() => !this.lost.aborted);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const content = this.pending.join("");
    this.pending = [];
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    queueMicrotask(() => {
      for (const resolve of waiters) resolve();
    });
    this.append({
      conversationId: this.options.conversationId,
      type: "meta",
      role: "assistant",
      content,
      model: this.options.model,
      extra: { kind: ASSISTANT_DELTA_KIND, ...this.options.extra },
    });
  }

  toolCall(id: string, name: string, args: JsonValue): void {
    this.flush(); // text streamed before the call stays before it
    this.append({
      conversationId: this.options.conversationId,
      type: "tool_call",
      role: "assistant",
      content: null,
      model: this.options.model,
      toolCalls: [{ id, name, arguments: args }],
      // The request id makes a re-sent call a duplicate rather than a second row.
      extra: { ...this.options.extra, request_id: toolCallKey(this.options.turnKey, id, this.attempt) },
    });
  }

  toolResult(toolCallId: string, name: string, text: string): void {
    this.flush();
    this.append({
      conversationId: this.options.conversationId,
      type: "tool_result",
      role: "tool",
      content: text,
      extra: {
        ...this.options.extra,
        tool_call_id: toolCallId,
        tool_name: name,
        request_id: toolResultKey(this.options.turnKey, toolCallId, this.attempt),
      },
    });
  }

  /** Waits for every queued write, then stores the final reply (idempotent: a second call answers it again). */
  async finish(content: Content, extra: JsonObject = {}): Promise<TurnWriterFinish> {
    this.flush();
    await this.tail;
    const { repo, conversationId, turnKey, model } = this.options;
    const merged = { ...this.options.extra, ...extra };
    const held = this.held;
    if (!held)
      return {
        lost: false,
        reply: await repo.compactDeltas(conversationId, turnKey, content, model, merged),
      };
    const result = await repo.compactHeld(held, content, model, merged);
    if (result.held) return { lost: false, reply: result.reply };
    this.lostController.abort(new Error("the turn's claim was taken over"));
    return { lost: true, reply: result.reply };
  }
}
