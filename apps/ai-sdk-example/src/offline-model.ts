import type { LanguageModel } from "ai";

/** The provider-spec model interface of ai 6, taken from its own types. */
type LanguageModelV4 = Extract<LanguageModel, { specificationVersion: "v4" }>;
type CallOptions = Parameters<LanguageModelV4["doStream"]>[0];
type StreamPart =
  Awaited<ReturnType<LanguageModelV4["doStream"]>>["stream"] extends ReadableStream<infer P> ? P : never;

const usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};

function lastUserText(prompt: CallOptions["prompt"]): string {
  const user = prompt.findLast((m) => m.role === "user");
  if (!user || typeof user.content === "string") return String(user?.content ?? "");
  return user.content.map((p) => (p.type === "text" ? p.text : "")).join(" ");
}

/** What the model says next: a tool call for a question it has a tool for, else words. */
function plan(prompt: CallOptions["prompt"]): StreamPart[] {
  const last = prompt.at(-1);
  if (last?.role === "tool") {
    const result = last.content.find((p) => p.type === "tool-result");
    const output = result?.type === "tool-result" ? result.output : undefined;
    const value = output && "value" in output ? output.value : output;
    return words(`The tool answered: ${JSON.stringify(value)}.`);
  }
  const text = lastUserText(prompt);
  const city = /weather in ([A-Za-z ]+?)[?.!]*$/i.exec(text)?.[1];
  if (city) return [toolCall("weather", { city })];
  const path = /delete (\S+)/i.exec(text)?.[1];
  if (path) return [toolCall("deleteFile", { path })];
  return words(`You said: ${text}`);
}

function toolCall(toolName: string, input: unknown): StreamPart {
  const toolCallId = `call-${toolName}-${JSON.stringify(input).length}`;
  return { type: "tool-call", toolCallId, toolName, input: JSON.stringify(input) };
}

function words(text: string): StreamPart[] {
  const parts: StreamPart[] = [{ type: "text-start", id: "t" }];
  for (const word of text.split(/(?<= )/)) parts.push({ type: "text-delta", id: "t", delta: word });
  parts.push({ type: "text-end", id: "t" });
  return parts;
}

/**
 * A deterministic model that needs no key and no network: it calls `weather` for "weather in
 * <city>", `deleteFile` (which asks for approval) for "delete <path>", reports tool results,
 * and otherwise repeats what it was told, one word every `delayMs`.
 */
export function offlineModel(delayMs = 20): LanguageModelV4 {
  return {
    specificationVersion: "v4",
    provider: "chatlog-example",
    modelId: "offline",
    supportedUrls: {},
    async doGenerate() {
      throw new Error("the offline model only streams");
    },
    async doStream(options) {
      const body = plan(options.prompt);
      const calls = body.some((p) => p.type === "tool-call");
      const parts: StreamPart[] = [
        { type: "stream-start", warnings: [] },
        ...body,
        { type: "finish", finishReason: { unified: calls ? "tool-calls" : "stop", raw: undefined }, usage },
      ];
      let i = 0;
      const stream = new ReadableStream<StreamPart>({
        async pull(controller) {
          if (options.abortSignal?.aborted) return controller.error(options.abortSignal.reason);
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          const part = parts[i++];
          if (part === undefined) controller.close();
          else controller.enqueue(part);
        },
      });
      return { stream };
    },
  };
}
