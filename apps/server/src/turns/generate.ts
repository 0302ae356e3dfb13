import {
  buildLlmMessages,
  type ChatRepository,
  type JsonValue,
  requestIdOf,
  type TurnKey,
} from "@chatlog/core";
import { stepCountIs, streamText } from "ai";
import type { LanguageModelV4 } from "../models/model-types.ts";
import { toModelMessages } from "../models/to-model-messages.ts";
import { builtinTools } from "../tools/index.ts";
import { storedDone } from "./replay-stored.ts";
import type { TurnBroadcast } from "./turn-broadcast.ts";
import type { TurnEvent } from "./turn-events.ts";
import type { StoreOutcome, TurnStore } from "./turn-store.ts";

export interface GenerateInput {
  repo: ChatRepository;
  model: LanguageModelV4;
  systemPrompt: string;
  turn: TurnKey;
  content: string;
  store: TurnStore;
  out: TurnBroadcast;
  /**
   * Aborted when shutdown gives up waiting (the reply so far is stored as interrupted), or when
   * the heartbeat found the turn's claim taken over. The store's `lost` signal stops the model
   * too, as soon as a write is refused for want of the claim; a generator that lost its claim
   * stores nothing more and ends with the reply its new holder stored, or an error.
   */
  signal: AbortSignal;
  /**
   * Aborted when someone stops the turn (turn-stops.ts): the model call ends and what it said
   * is stored as the reply, marked `stopped` (a normal reply, not an interrupted one).
   */
  stop?: AbortSignal;
  /** Most model steps per turn (a tool call and the answer after it are two). */
  maxSteps?: number;
}

export type GenerateOutcome = {
  status: "completed" | "stopped" | "interrupted" | "failed";
  text: string;
  error?: unknown;
};

/** JSON-safe copy of a tool's input or output (undefined and the like do not survive storage). */
function json(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

/**
 * One model generation for a turn: builds the prompt from the stored history, streams the reply
 * to `out` while handing every delta and tool event to `store`, then stores the final reply.
 * It never depends on anyone reading `out`, so a client that disconnects stops nothing.
 */
export async function generateReply(input: GenerateInput): Promise<GenerateOutcome> {
  const { store, out } = input;
  let text = "";
  let failure: unknown = null;
  let aborted = false;
  // The store's own signal: a write refused because the claim was lost stops the model call too.
  const signals = [input.signal, ...(store.lost ? [store.lost] : []), ...(input.stop ? [input.stop] : [])];
  const signal = signals.length > 1 ? AbortSignal.any(signals) : input.signal;
  // Each item reaches the clients once the write carrying it is known to be stored under the
  // claim, in order; after a refused write, none does (their `done` is then the stored reply).
  let released: Promise<void> = Promise.resolve();
  const show = (event: TurnEvent) => {
    const stored = store.accepted();
    released = released.then(async () => {
      if (await stored) out.push(event);
    });
  };
  try {
    const conversation = await modelInput(input);
    const result = streamText({
      model: input.model,
      messages: toModelMessages(conversation),
      // The system messages are the configured prompt and stored system_update events the app
      // marked visible_to_model, never text a user sent, and they must keep their positions.
      allowSystemInMessages: true,
      tools: builtinTools,
      stopWhen: stepCountIs(input.maxSteps ?? 5),
      abortSignal: signal,
      // Errors arrive as stream parts below; the default handler would also print them.
      onError: () => {},
    });
    for await (const part of result.fullStream) {
      switch (part.type) {
        case "text-delta":
          if (part.text.length === 0) break;
          text += part.text;
          store.delta(part.text);
          show({ type: "delta", text: part.text });
          break;
        case "tool-call": {
          const args = json(part.input);
          store.toolCall(part.toolCallId, part.toolName, args);
          show({ type: "tool_call", id: part.toolCallId, name: part.toolName, arguments: args });
          break;
        }
        case "tool-result": {
          const output = json(part.output);
          store.toolResult(part.toolCallId, part.toolName, output);
          show({ type: "tool_result", toolCallId: part.toolCallId, name: part.toolName, result: output });
          break;
        }
        case "tool-error": {
          // The model sees the failure as the tool's result, so store it as one.
          const output = { error: String((part.error as Error)?.message ?? part.error) };
          store.toolResult(part.toolCallId, part.toolName, output);
          show({ type: "tool_result", toolCallId: part.toolCallId, name: part.toolName, result: output });
          break;
        }
        case "abort":
          aborted = true;
          break;
        case "error":
          failure = part.error;
          break;
        default:
          break;
      }
    }
  } catch (error) {
    if (signal.aborted) aborted = true;
    else failure = error;
  }
  if (signal.aborted) aborted = true;
  await released;

  // Stopped on request (and not cut short otherwise): the reply is what was said, marked so.
  const stopped =
    aborted && input.stop?.aborted === true && !input.signal.aborted && store.lost?.aborted !== true;
  if (failure === null || aborted) {
    // Aborted: shutdown ran out of time or the claim was lost; keep what was said, marked so a
    // reader knows it was cut short (a lost claim stores nothing: the new holder decides).
    const marks = stopped ? { stopped: true } : aborted ? { interrupted: true } : {};
    const outcome = await store.finish(text, marks);
    out.push(endOf(outcome, text, aborted && !stopped, stopped));
    if (stopped && outcome.kind !== "lost") return { status: "stopped", text };
    return { status: outcome.kind === "lost" || aborted ? "interrupted" : "completed", text };
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  if (text.length > 0) {
    // A partial answer is kept (marked) rather than left as orphan deltas.
    const outcome = await store.finish(text, { interrupted: true, error: message });
    if (outcome.kind === "lost") {
      out.push(endOf(outcome, text, true));
      return { status: "interrupted", text };
    }
  }
  out.push({ type: "error", code: "MODEL_ERROR", message });
  return { status: "failed", text, error: failure };
}

/**
 * The last item of a generation. `done` carries the stored reply, not this process's text: if
 * another process finalized the turn first (it took the claim over), the two may differ, and
 * what every client must end with is what the database holds. A generator that lost its claim
 * before any reply was stored has nothing true to announce: an error, which a client retries
 * (and the retry follows the new holder, or replays its reply).
 */
function endOf(outcome: StoreOutcome, text: string, aborted: boolean, stopped = false): TurnEvent {
  if (outcome.kind === "not-persisted") {
    return { type: "done", eventId: null, seq: null, content: text, interrupted: aborted, stopped };
  }
  if (outcome.reply === null) {
    return {
      type: "error",
      code: "TURN_TAKEN_OVER",
      message:
        "this server lost the turn to another process (or the conversation was deleted); retry to follow it",
    };
  }
  return storedDone(outcome.reply);
}

/** The most recent LLM-visible events the model is shown (as buildLlmConversation's default). */
const HISTORY_WINDOW = 50;

/**
 * `[system, ...history, user]` for this turn. Every event of the turn itself is left out of the
 * history (its user message, sent once and last, and a previous attempt's reply when this is a
 * regeneration), so the model answers the user message afresh. Filtering, not re-slicing, keeps
 * the window the repository chose (it never splits a tool call from its results).
 */
async function modelInput(input: GenerateInput) {
  const { conversationId, userRequestId } = input.turn;
  const history = await input.repo.getConversationHistory(conversationId, { limit: HISTORY_WINDOW });
  const earlier = history.filter(
    (e) =>
      !(e.type === "user_message" && requestIdOf(e) === userRequestId) &&
      e.extra.user_request_id !== userRequestId,
  );
  return buildLlmMessages(input.systemPrompt, earlier, input.content);
}
