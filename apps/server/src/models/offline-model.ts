import type {
  CallOptions,
  GenerateResult,
  LanguageModelV4,
  Prompt,
  PromptMessage,
  StreamPart,
  Usage,
} from "./model-types.ts";

export interface OfflineModelOptions {
  /** Pause before each streamed word, in ms (0: as fast as the consumer reads). */
  delayMs?: number;
  /** Pad replies with deterministic filler up to at least this many words. */
  replyWords?: number;
}

type Plan =
  | { kind: "text"; text: string; inputWords: number }
  | {
      kind: "tool";
      toolCallId: string;
      toolName: string;
      input: Record<string, unknown>;
      inputWords: number;
    };

const FILLER = (
  "the log keeps every event in order so a reply streamed here is stored once and read back " +
  "exactly as it was written even when the process stops halfway through a sentence"
).split(" ");

const CALCULATION = /\b(?:calculate|compute|what is)\s+([-+*/().\d\s]*\d[-+*/().\d\s]*)/i;
const ARITHMETIC = /\d\s*[-+*/]\s*[-(\d]/;
const TIME = /\btime\b/i;
const MARKDOWN = /\bmarkdown\b/i;

/**
 * The reply to a message that mentions "markdown": bold, a list, a fenced code block and a
 * link, so the page's rendering can be seen and tested without a real model.
 */
export const MARKDOWN_REPLY = [
  "Here is what **chatlog** keeps for every turn:",
  "",
  "1. the user message, stored once under its request id;",
  "2. the streamed reply, compacted into *one* message;",
  "3. every tool call, beside its result.",
  "",
  "Read a conversation back in order:",
  "",
  "```ts",
  'const events = await repo.getEvents("demo", { limit: 50 });',
  "for (const event of events) console.log(event.seq, event.type);",
  "```",
  "",
  "More in the [AI SDK documentation](https://ai-sdk.dev/docs).",
].join("\n");

/** FNV-1a: a stable short hash, so tool call ids are deterministic yet differ between prompts. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function textOf(message: PromptMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content
    .map((part) => (part.type === "text" ? part.text : ""))
    .filter((t) => t.length > 0)
    .join("\n");
}

function countWords(prompt: Prompt): number {
  return prompt.reduce((n, m) => n + (textOf(m).match(/\S+/g)?.length ?? 0), 0);
}

function toolOutputText(output: unknown): unknown {
  const o = output as { type?: string; value?: unknown };
  if (o.type === "json" || o.type === "error-json") return o.value;
  if (o.type === "text" || o.type === "error-text") {
    try {
      return JSON.parse(String(o.value));
    } catch {
      return o.value;
    }
  }
  return output;
}

/** The sentence the model says once a tool has answered. */
function describeToolResult(toolName: string, value: unknown): string {
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (toolName === "get_time" && typeof v.utc === "string") return `The current UTC time is ${v.utc}.`;
  if (toolName === "calculator" && v.result !== undefined)
    return `${String(v.expression)} = ${String(v.result)}.`;
  if (toolName === "calculator" && v.error !== undefined) {
    return `I could not calculate ${String(v.expression)}: ${String(v.error)}.`;
  }
  return `The ${toolName} tool returned ${JSON.stringify(value)}.`;
}

/**
 * A deterministic LanguageModelV4 for running without a key or network: it answers the last
 * user message in word-sized deltas at a configurable pace, calls `calculator` for "calculate
 * <expression>" and `get_time` when asked about the time (when those tools are offered), answers
 * a message mentioning "markdown" with MARKDOWN_REPLY (rendered by the chat page), and
 * after a tool step answers from the tool's result. It records every call, so tests can prove
 * that a replayed turn did not call it.
 */
export class OfflineModel implements LanguageModelV4 {
  readonly specificationVersion = "v4";
  readonly provider = "chatlog-offline";
  readonly modelId = "offline";
  readonly supportedUrls: Record<string, RegExp[]> = {};

  /** Number of doStream/doGenerate calls so far. */
  calls = 0;
  /** The prompt of the most recent call. */
  lastPrompt: Prompt | null = null;
  /** The most recent prompts (at most 50), oldest first. */
  readonly prompts: Prompt[] = [];

  delayMs: number;
  replyWords: number;

  constructor(options: OfflineModelOptions = {}) {
    this.delayMs = options.delayMs ?? 15;
    this.replyWords = options.replyWords ?? 0;
  }

  private record(options: CallOptions): Plan {
    this.calls += 1;
    this.lastPrompt = options.prompt;
    this.prompts.push(options.prompt);
    if (this.prompts.length > 50) this.prompts.shift();
    return this.plan(options);
  }

  private plan(options: CallOptions): Plan {
    const { prompt } = options;
    const inputWords = countWords(prompt);
    const lastUser = prompt.findLastIndex((m) => m.role === "user");
    const userText = lastUser >= 0 ? textOf(prompt[lastUser]!) : "";
    const toolNames = new Set((options.tools ?? []).map((t) => t.name));

    // After a tool step, the results follow the user message: answer from them.
    const results = prompt
      .slice(lastUser + 1)
      .flatMap((m) => (m.role === "tool" ? m.content.filter((p) => p.type === "tool-result") : []));
    if (results.length > 0) {
      const text = results.map((r) => describeToolResult(r.toolName, toolOutputText(r.output))).join(" ");
      return { kind: "text", text: this.pad(text), inputWords };
    }

    const id = `call_${hash(JSON.stringify(prompt))}`;
    const calc = CALCULATION.exec(userText);
    if (toolNames.has("calculator") && calc?.[1] && ARITHMETIC.test(calc[1])) {
      return {
        kind: "tool",
        toolCallId: id,
        toolName: "calculator",
        input: { expression: calc[1].trim() },
        inputWords,
      };
    }
    if (toolNames.has("get_time") && TIME.test(userText)) {
      return { kind: "tool", toolCallId: id, toolName: "get_time", input: {}, inputWords };
    }

    if (MARKDOWN.test(userText)) return { kind: "text", text: MARKDOWN_REPLY, inputWords };

    const earlier = prompt.slice(0, Math.max(0, lastUser)).filter((m) => m.role !== "system").length;
    const seen =
      earlier === 0 ? "This is the start of our conversation." : `I can see ${earlier} earlier messages.`;
    return {
      kind: "text",
      text: this.pad(`You said: ${userText.trim() || "(nothing)"}. ${seen}`),
      inputWords,
    };
  }

  private pad(text: string): string {
    const words = text.split(/\s+/).filter(Boolean).length;
    if (words >= this.replyWords) return text;
    const extra = Array.from({ length: this.replyWords - words }, (_, i) => FILLER[i % FILLER.length]);
    return `${text} ${extra.join(" ")}`;
  }

  private usage(inputWords: number, outputWords: number): Usage {
    return {
      inputTokens: { total: inputWords, noCache: inputWords, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: outputWords, text: outputWords, reasoning: undefined },
    };
  }

  private parts(plan: Plan): StreamPart[] {
    const head: StreamPart[] = [
      { type: "stream-start", warnings: [] },
      {
        type: "response-metadata",
        id: `offline-${this.calls}`,
        modelId: this.modelId,
        timestamp: new Date(),
      },
    ];
    if (plan.kind === "tool") {
      return [
        ...head,
        {
          type: "tool-call",
          toolCallId: plan.toolCallId,
          toolName: plan.toolName,
          input: JSON.stringify(plan.input),
        },
        {
          type: "finish",
          finishReason: { unified: "tool-calls", raw: "tool_calls" },
          usage: this.usage(plan.inputWords, 1),
        },
      ];
    }
    // Word-sized deltas that join back to exactly the text.
    const words = plan.text.match(/\s*\S+/g) ?? [];
    return [
      ...head,
      { type: "text-start", id: "text-0" },
      ...words.map((delta): StreamPart => ({ type: "text-delta", id: "text-0", delta })),
      { type: "text-end", id: "text-0" },
      {
        type: "finish",
        finishReason: { unified: "stop", raw: "stop" },
        usage: this.usage(plan.inputWords, words.length),
      },
    ];
  }

  async doStream(options: CallOptions) {
    const parts = this.parts(this.record(options));
    const delayMs = this.delayMs;
    const signal = options.abortSignal;
    let next = 0;
    const stream = new ReadableStream<StreamPart>({
      async pull(controller) {
        const part = parts[next++];
        if (part === undefined) {
          controller.close();
          return;
        }
        if (part.type === "text-delta" && delayMs > 0) await sleep(delayMs, signal);
        if (signal?.aborted) {
          controller.error(signal.reason ?? new Error("aborted"));
          return;
        }
        controller.enqueue(part);
      },
    });
    return { stream };
  }

  async doGenerate(options: CallOptions): Promise<GenerateResult> {
    const plan = this.record(options);
    if (plan.kind === "tool") {
      return {
        content: [
          {
            type: "tool-call",
            toolCallId: plan.toolCallId,
            toolName: plan.toolName,
            input: JSON.stringify(plan.input),
          },
        ],
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage: this.usage(plan.inputWords, 1),
        warnings: [],
      };
    }
    return {
      content: [{ type: "text", text: plan.text }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: this.usage(plan.inputWords, plan.text.split(/\s+/).length),
      warnings: [],
    };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
