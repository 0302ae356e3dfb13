import {
  ASSISTANT_DELTA_KIND,
  type ChatEvent,
  type ChatRepository,
  type JsonObject,
  type JsonValue,
  TextOffsetTracker,
  type TurnKey,
  toolCallKey,
  toolResultKey,
} from "@chatlog/core";

/**
 * The extra every event of one reply carries: the user request it answers, the assistant
 * message id fixed when the turn started, and the attempt (written only from the second on,
 * so a first reply looks as it always did).
 */
export function replyExtra(turn: TurnKey, messageId: string): JsonObject {
  return {
    user_request_id: turn.userRequestId,
    message_id: messageId,
    ...(turn.attempt > 1 ? { attempt: turn.attempt } : {}),
  };
}

/** Where one turn's deltas, tool events and final reply go. */
export interface TurnStore {
  /** Queues a streamed delta; never waits, so persisting does not hold the stream back. */
  delta(text: string): void;
  toolCall(id: string, name: string, args: JsonValue): void;
  toolResult(toolCallId: string, name: string, result: JsonValue): void;
  /** Waits for everything queued, then stores the final reply (compacting the deltas). */
  finish(text: string, extra?: JsonObject): Promise<ChatEvent | null>;
}

/** Most deltas folded into one stored row; bounds what a crash can lose at full speed. */
const MAX_DELTAS_PER_ROW = 64;

/**
 * Persists through the repository. Nothing here waits for a write before the stream moves on.
 *
 * Deltas produced in the same turn of the event loop are stored as one `meta` row (their text
 * concatenated, in order): a fast model emits many deltas per tick, and one row per delta would
 * make the database, not the model, set the pace. A paced model (one delta per timer tick) still
 * gets one row per delta. Recovery and followers join the rows' text, so the result is the same.
 * Rows are appended without awaiting: the repository's write queue commits appends issued close
 * together in one transaction (group commit) and keeps their call order, so awaiting the last
 * one is enough to know that all of them have settled.
 */
export class RepositoryTurnStore implements TurnStore {
  private tail: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;
  private pending: string[] = [];
  private flushScheduled = false;
  /** Where each tool call came in the text, kept on the compacted reply (see TEXT_OFFSETS_EXTRA). */
  private readonly offsets = new TextOffsetTracker();

  private readonly conversationId: string;
  private readonly extra: JsonObject;

  constructor(
    private readonly repo: ChatRepository,
    private readonly turn: TurnKey,
    messageId: string,
    private readonly modelId: string,
  ) {
    this.conversationId = turn.conversationId;
    this.extra = replyExtra(turn, messageId);
  }

  /** The first append that failed, if any (the final reply is still stored by finish). */
  get error(): unknown {
    return this.failure;
  }

  private append(write: Promise<unknown>): void {
    this.tail = write.then(undefined, (error: unknown) => {
      this.failure ??= error;
    });
  }

  delta(text: string): void {
    this.offsets.text(text);
    this.pending.push(text);
    if (this.pending.length >= MAX_DELTAS_PER_ROW) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // setImmediate runs once the current burst of stream callbacks (promise jobs) has settled.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const content = this.pending.join("");
    this.pending = [];
    this.append(
      this.repo.addEvent({
        conversationId: this.conversationId,
        type: "meta",
        role: "assistant",
        content,
        model: this.modelId,
        extra: { kind: ASSISTANT_DELTA_KIND, ...this.extra },
      }),
    );
  }

  toolCall(id: string, name: string, args: JsonValue): void {
    this.flush(); // text streamed before the call stays before it
    this.offsets.toolCall(id);
    this.append(
      this.repo.addEvent({
        conversationId: this.conversationId,
        type: "tool_call",
        role: "assistant",
        content: null,
        model: this.modelId,
        toolCalls: [{ id, name, arguments: args }],
        // The request id makes a re-sent call a duplicate rather than a second row.
        extra: {
          ...this.extra,
          request_id: toolCallKey(this.turn.userRequestId, id, this.turn.attempt),
        },
      }),
    );
  }

  toolResult(toolCallId: string, name: string, result: JsonValue): void {
    this.flush();
    this.append(
      this.repo.addEvent({
        conversationId: this.conversationId,
        type: "tool_result",
        role: "tool",
        content: typeof result === "string" ? result : JSON.stringify(result),
        extra: {
          tool_call_id: toolCallId,
          tool_name: name,
          ...this.extra,
          request_id: toolResultKey(this.turn.userRequestId, toolCallId, this.turn.attempt),
        },
      }),
    );
  }

  async finish(text: string, extra: JsonObject = {}): Promise<ChatEvent> {
    this.flush();
    await this.tail;
    return this.repo.compactDeltas(this.conversationId, this.turn.userRequestId, text, this.modelId, {
      ...extra,
      ...this.offsets.extra(),
      ...this.extra,
    });
  }
}

/** Persistence switched off (the benchmark's baseline): same calls, nothing written. */
export class NullTurnStore implements TurnStore {
  delta(): void {}
  toolCall(): void {}
  toolResult(): void {}
  async finish(): Promise<null> {
    return null;
  }
}
