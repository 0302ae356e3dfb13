import { replyExtra, TurnWriter } from "@chatlog/ai-sdk";
import {
  type ChatEvent,
  type ChatRepository,
  type JsonObject,
  type JsonValue,
  TextOffsetTracker,
  type TurnKey,
} from "@chatlog/core";

/** How storing a reply ended: stored, or refused because the turn's claim was lost. */
export type StoreOutcome =
  | { kind: "stored"; reply: ChatEvent }
  /** Nothing was written; `reply` is the turn's stored reply (its new holder's), if there is one yet. */
  | { kind: "lost"; reply: ChatEvent | null }
  /** Persistence is off (NullTurnStore). */
  | { kind: "not-persisted" };

/** Where one turn's deltas, tool events and final reply go. */
export interface TurnStore {
  /** Queues a streamed delta; never waits, so persisting does not hold the stream back. */
  delta(text: string): void;
  toolCall(id: string, name: string, args: JsonValue): void;
  toolResult(toolCallId: string, name: string, result: JsonValue): void;
  /** Aborted as soon as a write is refused because this process no longer holds the turn. */
  readonly lost: AbortSignal | null;
  /**
   * Whether everything handed over so far was stored under the turn's claim (settles once it is
   * known): what a client may be shown (TurnWriter.accepted).
   */
  accepted(): Promise<boolean>;
  /** Waits for everything queued, then stores the final reply (compacting the deltas). */
  finish(text: string, extra?: JsonObject): Promise<StoreOutcome>;
}

/**
 * Persists through the repository with the shared TurnWriter (group-committed rows, one per
 * burst of deltas), every write conditional on `ownerId` still holding the turn's claim: a
 * generator that lost it (taken over while this process was paused, or its conversation
 * deleted) writes nothing more, and learns so through `lost`.
 */
export class RepositoryTurnStore implements TurnStore {
  private readonly writer: TurnWriter;
  /** Where each tool call came in the text, kept on the compacted reply (see TEXT_OFFSETS_EXTRA). */
  private readonly offsets = new TextOffsetTracker();

  constructor(repo: ChatRepository, turn: TurnKey, messageId: string, modelId: string, ownerId: string) {
    this.writer = new TurnWriter({
      repo,
      conversationId: turn.conversationId,
      turnKey: turn.userRequestId,
      attempt: turn.attempt,
      extra: replyExtra(turn, messageId),
      model: modelId,
      ownerId,
    });
  }

  /** The first append that failed, if any (the final reply is still stored by finish). */
  get error(): unknown {
    return this.writer.error;
  }

  get lost(): AbortSignal {
    return this.writer.lost;
  }

  accepted(): Promise<boolean> {
    return this.writer.accepted();
  }

  delta(text: string): void {
    this.offsets.text(text);
    this.writer.delta(text);
  }

  toolCall(id: string, name: string, args: JsonValue): void {
    this.offsets.toolCall(id);
    this.writer.toolCall(id, name, args);
  }

  toolResult(toolCallId: string, name: string, result: JsonValue): void {
    this.writer.toolResult(toolCallId, name, typeof result === "string" ? result : JSON.stringify(result));
  }

  async finish(text: string, extra: JsonObject = {}): Promise<StoreOutcome> {
    const finished = await this.writer.finish(text, { ...extra, ...this.offsets.extra() });
    return finished.lost
      ? { kind: "lost", reply: finished.reply }
      : { kind: "stored", reply: finished.reply };
  }
}

/** Persistence switched off (the benchmark's baseline): same calls, nothing written. */
export class NullTurnStore implements TurnStore {
  readonly lost = null;
  async accepted(): Promise<boolean> {
    return true;
  }
  delta(): void {}
  toolCall(): void {}
  toolResult(): void {}
  async finish(): Promise<StoreOutcome> {
    return { kind: "not-persisted" };
  }
}
