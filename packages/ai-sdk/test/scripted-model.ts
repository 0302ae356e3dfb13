import { MockLanguageModelV4 } from "ai/test";

type Model = InstanceType<typeof MockLanguageModelV4>;
type StreamPart =
  Awaited<ReturnType<Model["doStream"]>>["stream"] extends ReadableStream<infer P> ? P : never;

/** What one model step says: text (in words), tool calls, or reasoning before the text. */
export interface Step {
  reasoning?: string;
  text?: string;
  toolCalls?: { id: string; name: string; input: unknown }[];
  /** Wait this long before each chunk, so that a test can act mid-stream. */
  delayMs?: number;
}

const usage = {
  inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

function partsOf(step: Step): StreamPart[] {
  const parts: StreamPart[] = [{ type: "stream-start", warnings: [] }];
  if (step.reasoning) {
    parts.push(
      { type: "reasoning-start", id: "r" },
      { type: "reasoning-delta", id: "r", delta: step.reasoning },
    );
    parts.push({ type: "reasoning-end", id: "r" });
  }
  if (step.text) {
    parts.push({ type: "text-start", id: "t" });
    for (const word of step.text.split(/(?<= )/)) parts.push({ type: "text-delta", id: "t", delta: word });
    parts.push({ type: "text-end", id: "t" });
  }
  for (const call of step.toolCalls ?? []) {
    parts.push({
      type: "tool-call",
      toolCallId: call.id,
      toolName: call.name,
      input: JSON.stringify(call.input),
    });
  }
  const finishReason = step.toolCalls?.length ? "tool-calls" : "stop";
  parts.push({ type: "finish", finishReason: { unified: finishReason, raw: finishReason }, usage });
  return parts;
}

function streamOf(
  parts: StreamPart[],
  delayMs: number,
  signal: AbortSignal | undefined,
): ReadableStream<StreamPart> {
  let i = 0;
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (signal?.aborted) {
        controller.error(signal.reason ?? new Error("aborted"));
        return;
      }
      const part = parts[i++];
      if (part === undefined) controller.close();
      else controller.enqueue(part);
    },
  });
}

/**
 * The one test double: a real LanguageModelV4 (the SDK's MockLanguageModelV4) that plays the
 * given steps in order, one per model call, and counts its calls.
 */
export function scriptedModel(steps: Step[]): Model {
  let next = 0;
  return new MockLanguageModelV4({
    modelId: "scripted",
    doStream: async (options) => {
      const step = steps[next++];
      if (step === undefined) throw new Error(`the scripted model has no step ${next}`);
      return { stream: streamOf(partsOf(step), step.delayMs ?? 0, options.abortSignal) };
    },
  });
}
