import {
  ASSISTANT_DELTA_KIND,
  type ChatEvent,
  type ChatRepository,
  type ContentPart,
  type JsonObject,
  type JsonValue,
  toolCallKey,
  toolResultKey,
} from "@chatlog/core";
import type { UIMessage } from "ai";
import { metadataExtra } from "./ui-to-events.ts";

/** Most deltas folded into one stored row; bounds what a crash can lose at full speed. */
const MAX_DELTAS_PER_ROW = 64;

/**
 * Writes one streamed reply as the server's turns do: text deltas as `meta` rows (bursts of one
 * event-loop turn folded into one row), each tool call and result as its own event, then the
 * final message through compactDeltas, which removes the deltas in the same transaction. Nothing
 * here waits for a write before the stream moves on; the repository keeps the call order.
 * Every row carries the turn key (`user_request_id`) and the message id (`message_id`).
 */
export class TurnWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;
  private pending: string[] = [];
  private flushScheduled = false;
  private readonly ids: JsonObject;

  constructor(
    private readonly repo: ChatRepository,
    private readonly conversationId: string,
    private readonly turnKey: string,
    readonly messageId: string,
    private readonly model: string | null,
  ) {
    this.ids = { user_request_id: turnKey, message_id: messageId };
  }

  /** The first write that failed, if any (finish still stores the final message). */
  get error(): unknown {
    return this.failure;
  }

  private append(write: Promise<unknown>): void {
    this.tail = write.then(undefined, (error: unknown) => {
      this.failure ??= error;
    });
  }

  delta(text: string): void {
    if (text.length === 0) return;
    this.pending.push(text);
    if (this.pending.length >= MAX_DELTAS_PER_ROW) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
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
        model: this.model,
        extra: { kind: ASSISTANT_DELTA_KIND, ...this.ids },
      }),
    );
  }

  toolCall(id: string, name: string, input: unknown): void {
    this.flush(); // text streamed before the call stays before it
    this.append(
      this.repo.addEvent({
        conversationId: this.conversationId,
        type: "tool_call",
        role: "assistant",
        content: null,
        model: this.model,
        toolCalls: [{ id, name, arguments: (input ?? {}) as JsonValue }],
        extra: { ...this.ids, request_id: toolCallKey(this.turnKey, id) },
      }),
    );
  }

  toolResult(toolCallId: string, name: string, text: string): void {
    this.flush();
    this.append(
      this.repo.addEvent({
        conversationId: this.conversationId,
        type: "tool_result",
        role: "tool",
        content: text,
        extra: {
          ...this.ids,
          tool_call_id: toolCallId,
          tool_name: name,
          request_id: toolResultKey(this.turnKey, toolCallId),
        },
      }),
    );
  }

  /**
   * Stores `message` from part `from` on as revision `rev` (see ui-to-events.ts; 0 only for the
   * first), after every queued write; idempotent (compactDeltas answers the stored reply again).
   */
  async finish(message: UIMessage, rev: number, from: number, extra: JsonObject = {}): Promise<ChatEvent> {
    this.flush();
    await this.tail;
    return this.repo.compactDeltas(
      this.conversationId,
      this.turnKey,
      message.parts.slice(from) as unknown as ContentPart[],
      this.model,
      { ...this.ids, ui_rev: rev, ui_from: from, ...metadataExtra(message), ...extra },
    );
  }
}
