import {
  type ChatEvent,
  ChatlogError,
  type ChatRepository,
  type ContentPart,
  type JsonValue,
} from "@chatlog/core";
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from "ai";
import { foldReply } from "./fold-message.ts";
import { sameJson } from "./same-json.ts";
import { replyMarks } from "./stored-extra.ts";
import { type AnyToolPart, isTerminal, isToolPart, resultTextOf, toolNameOf } from "./tool-parts.ts";
import { TurnWriter } from "./turn-writer.ts";
import { metadataExtra } from "./ui-to-events.ts";

export interface PersistUIMessageStreamOptions {
  repo: ChatRepository;
  conversationId: string;
  /**
   * The turn's key: the id of the user message being answered, or, for a continuation, its
   * `continuationRequestId`. Deltas and tool events carry it; compaction is keyed by it.
   */
  turnKey: string;
  /** The assistant message id, fixed before the first chunk; the stream's `start` chunk gets it. */
  messageId: string;
  /**
   * The assistant message this stream continues, with what the client added to it (approval
   * answers, client-side tool outputs: see continuation.ts).
   */
  continues?: UIMessage;
  /** That message as it is stored, before the additions (default: `continues`). */
  storedMessage?: UIMessage;
  /** The UI message stream, e.g. `streamText(...).toUIMessageStream()`. */
  stream: ReadableStream<UIMessageChunk>;
  /** Stored as the events' model. */
  model?: string | null;
  /**
   * The owner id of the turn's claim, when the caller holds it (TurnClaims): every write is then
   * conditional on still holding it, and a generator that lost it writes nothing more.
   */
  ownerId?: string | null;
  /**
   * Aborted when the turn is stopped on request (stopChatTurn, the server's stop routes): a
   * stream that then ends aborted is stored marked `stopped`, a normal reply, not an interrupted one.
   */
  stop?: AbortSignal;
}

export interface StoredReply {
  /** The whole message as stored (for a continuation, with the parts it continued). */
  message: UIMessage;
  /** True when the stream was aborted or failed: what had arrived is stored, marked so. */
  interrupted: boolean;
  /** True when it was stopped on request: what had arrived is the reply, marked `stopped`. */
  stopped: boolean;
  event: ChatEvent;
}

export interface PersistedUIMessageStream {
  /** The same chunks, for the client; reading it is optional (a client gone stops nothing). */
  stream: ReadableStream<UIMessageChunk>;
  /** Settles once the reply is stored (compacted); rejects if storing it failed. */
  stored: Promise<StoredReply>;
  /**
   * Aborts at the first write refused because the turn's claim is no longer `ownerId`'s: the
   * generation is then wasted work (nothing more of it is stored), and should be aborted.
   */
  lost: AbortSignal;
}

/** The writer of one UI message's turn: every row carries the turn key and the message id. */
function uiMessageWriter(
  options: Pick<
    PersistUIMessageStreamOptions,
    "repo" | "conversationId" | "turnKey" | "messageId" | "model" | "ownerId"
  >,
): TurnWriter {
  return new TurnWriter({
    repo: options.repo,
    conversationId: options.conversationId,
    turnKey: options.turnKey,
    extra: { user_request_id: options.turnKey, message_id: options.messageId },
    model: options.model ?? null,
    ownerId: options.ownerId ?? null,
  });
}

/** Gives the `start` chunk the message id, so the client's copy has the stored id. */
function announceId(messageId: string): TransformStream<UIMessageChunk, UIMessageChunk> {
  let started = false;
  return new TransformStream({
    transform(chunk, controller) {
      if (chunk.type === "start") {
        started = true;
        controller.enqueue({ ...chunk, messageId });
        return;
      }
      if (!started) {
        started = true;
        controller.enqueue({ type: "start", messageId });
      }
      controller.enqueue(chunk);
    },
  });
}

/**
 * One gate per chunk, in stream order: settled by the persisting branch once it has handed the
 * chunk's writes over (with whether they were stored), awaited by the client's branch. The two
 * branches of the tee see the same chunks in the same order, so the nth settle is the nth chunk's.
 */
class ChunkGates {
  private readonly gates = new Map<
    number,
    { promise: Promise<boolean>; resolve: (ok: Promise<boolean>) => void }
  >();
  private settled = 0;
  private awaited = 0;

  /** The gate of chunk `index`; forgotten by whichever of its two sides comes second. */
  private take(index: number, done: boolean) {
    let gate = this.gates.get(index);
    if (gate === undefined) {
      let resolve!: (ok: Promise<boolean>) => void;
      const promise = new Promise<boolean>((r) => {
        resolve = r;
      });
      gate = { promise, resolve };
      if (!done) this.gates.set(index, gate);
    } else if (done) this.gates.delete(index);
    return gate;
  }

  settle(stored: Promise<boolean>): void {
    const index = this.settled++;
    this.take(index, index < this.awaited).resolve(stored);
  }

  next(): Promise<boolean> {
    const index = this.awaited++;
    return this.take(index, index < this.settled).promise;
  }
}

/**
 * The client's copy of the stream: each chunk passes once its writes are known to be stored
 * (TurnWriter.accepted, the rule of issue 15's defect 3), so a client never holds text the turn
 * did not store. Once a write is refused (another process took the turn over) the stream ends
 * with an error instead: what the client has is then exactly what that process finalizes.
 */
function releaseWhenStored(
  gates: ChunkGates,
  options: Pick<PersistUIMessageStreamOptions, "conversationId" | "turnKey">,
  stored: Promise<unknown>,
): TransformStream<UIMessageChunk, UIMessageChunk> {
  // The end of the stream means the reply is stored: a client acts on a finished message at
  // once (an approval, a reload), and must find it stored, not still streaming. So `finish`,
  // and the end itself, wait for the final write (whatever its outcome: a failure is `stored`'s).
  const settled = () => stored.then(noop, noop);
  return new TransformStream({
    async transform(chunk, controller) {
      if (await gates.next()) {
        if (chunk.type === "finish") await settled();
        controller.enqueue(chunk);
        return;
      }
      controller.enqueue({
        type: "error",
        errorText: `TURN_TAKEN_OVER: another process took this turn over (conversation ${options.conversationId}); retry to get its stored reply`,
      });
      controller.terminate();
    },
    flush: settled,
  });
}

function noop(): void {}

/** Index of the first part of `after` that is not the same as in `before` (a continuation's start). */
function firstChange(before: UIMessage, after: UIMessage): number {
  const shared = Math.min(before.parts.length, after.parts.length);
  for (let i = 0; i < shared; i++) if (!sameJson(before.parts[i], after.parts[i])) return i;
  return shared;
}

/**
 * Persists a UI message stream the way chatlog persists a server turn, while passing every chunk
 * on untouched: text deltas become meta rows and tool calls and results events as they arrive
 * (without holding the stream back), and at the end the message the SDK builds from the
 * chunks (readUIMessageStream) is stored, compacting the deltas, exactly once per turn key. An
 * aborted or failed stream is stored with what it had, marked `extra.interrupted`. A
 * continuation stores only the parts that changed, appended to the same message.
 *
 * The stream is split (tee) so the client's copy and the stored one never wait for each other:
 * a client that disconnects does not stop the generation or its persistence.
 */
export function persistUIMessageStream(options: PersistUIMessageStreamOptions): PersistedUIMessageStream {
  const { continues, messageId } = options;
  const [client, mine] = options.stream.pipeThrough(announceId(messageId)).tee();
  const writer = uiMessageWriter(options);
  const gates = new ChunkGates();
  const toolNames = new Map<string, string>();
  const denials = new Map<string, string>();
  for (const part of continues?.parts ?? []) {
    if (!isToolPart(part)) continue;
    toolNames.set(part.toolCallId, toolNameOf(part));
    const { approval } = part as AnyToolPart;
    if (approval?.approved === false) denials.set(part.toolCallId, approval.reason ?? "");
  }
  // Client-side tool outputs the continuation adds: the model-facing history gets their results.
  const before = new Map<string, AnyToolPart>();
  for (const part of options.storedMessage?.parts ?? [])
    if (isToolPart(part)) before.set(part.toolCallId, part);
  for (const part of continues?.parts ?? []) {
    if (!isToolPart(part) || (part as AnyToolPart).state === "output-denied" || !isTerminal(part)) continue;
    const was = before.get(part.toolCallId);
    if (was !== undefined && !isTerminal(was))
      writer.toolResult(part.toolCallId, toolNameOf(part), resultTextOf(part));
  }
  let interrupted = false;
  let errorText: string | null = null;

  const observe = (chunk: UIMessageChunk) => {
    switch (chunk.type) {
      case "text-delta":
        writer.delta(chunk.delta);
        break;
      case "tool-input-available":
        toolNames.set(chunk.toolCallId, chunk.toolName);
        writer.toolCall(chunk.toolCallId, chunk.toolName, (chunk.input ?? {}) as JsonValue);
        break;
      case "tool-output-available":
        if (chunk.preliminary === true) break;
        writer.toolResult(
          chunk.toolCallId,
          toolNames.get(chunk.toolCallId) ?? "tool",
          typeof chunk.output === "string" ? chunk.output : (JSON.stringify(chunk.output) ?? "null"),
        );
        break;
      case "tool-output-error":
        writer.toolResult(chunk.toolCallId, toolNames.get(chunk.toolCallId) ?? "tool", chunk.errorText);
        break;
      case "tool-output-denied":
        writer.toolResult(
          chunk.toolCallId,
          toolNames.get(chunk.toolCallId) ?? "tool",
          denials.get(chunk.toolCallId) || "Tool call execution denied.",
        );
        break;
      case "abort":
        interrupted = true;
        break;
      case "error":
        interrupted = true;
        errorText = chunk.errorText;
        break;
      default:
        break;
    }
  };

  const stored = (async (): Promise<StoredReply> => {
    const observed = mine.pipeThrough(
      new TransformStream<UIMessageChunk, UIMessageChunk>({
        transform(chunk, controller) {
          observe(chunk);
          gates.settle(writer.accepted());
          controller.enqueue(chunk);
        },
      }),
    );
    let message: UIMessage = continues
      ? structuredClone(continues)
      : { id: messageId, role: "assistant", parts: [] };
    const states = readUIMessageStream({
      ...(continues ? { message: structuredClone(continues) } : {}),
      stream: observed,
      onError: (error: unknown) => {
        interrupted = true;
        errorText ??= error instanceof Error ? error.message : String(error);
      },
    });
    for await (const state of states) message = state;
    message = { ...message, id: messageId };
    const from = continues ? firstChange(options.storedMessage ?? continues, message) : 0;
    const rev = continues ? Math.max(1, continues.parts.length) : 0;
    const stopped = interrupted && errorText === null && options.stop?.aborted === true;
    if (stopped) interrupted = false;
    const extra = stopped
      ? replyMarks(false, true)
      : interrupted
        ? { interrupted: true, ...(errorText !== null ? { error: errorText } : {}) }
        : {};
    // Stored from part `from` on as revision `rev` (see ui-to-events.ts; 0 only for the first).
    const finished = await writer.finish(message.parts.slice(from) as unknown as ContentPart[], {
      ui_rev: rev,
      ui_from: from,
      ...metadataExtra(message),
      ...extra,
    });
    if (!finished.lost) return { message, interrupted, stopped, event: finished.reply };
    // The claim went to another process (this one was paused past its staleness): what that one
    // stored is the reply, and none of this stream's later writes landed.
    if (finished.reply === null) {
      throw new ChatlogError(
        "TURN_TAKEN_OVER",
        "another process took this turn over before its reply was stored; this stream stored nothing more",
        { details: { conversationId: options.conversationId, turnKey: options.turnKey } },
      );
    }
    return {
      message: foldReply(messageId, [finished.reply]) ?? message,
      interrupted: finished.reply.extra.interrupted === true,
      stopped: finished.reply.extra.stopped === true,
      event: finished.reply,
    };
  })();
  return { stream: client.pipeThrough(releaseWhenStored(gates, options, stored)), stored, lost: writer.lost };
}
