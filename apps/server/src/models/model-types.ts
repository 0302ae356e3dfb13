import type { LanguageModel } from "ai";

/**
 * The provider-spec types the AI SDK v6 (`ai` 6.x) calls, derived from its own `LanguageModel`
 * union so they always match the installed version (@ai-sdk/provider is not a direct dependency).
 */
export type LanguageModelV4 = Extract<LanguageModel, { specificationVersion: "v4" }>;
export type CallOptions = Parameters<LanguageModelV4["doStream"]>[0];
export type Prompt = CallOptions["prompt"];
export type PromptMessage = Prompt[number];
type StreamResult = Awaited<ReturnType<LanguageModelV4["doStream"]>>;
export type StreamPart = StreamResult["stream"] extends ReadableStream<infer P> ? P : never;
export type GenerateResult = Awaited<ReturnType<LanguageModelV4["doGenerate"]>>;
export type Usage = Extract<StreamPart, { type: "finish" }>["usage"];
