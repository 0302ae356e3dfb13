import type { LanguageModel } from "ai";

/**
 * The provider-spec types the AI SDK v6 (`ai` 6.x) calls, derived from its own `LanguageModel`
 * union so they always match the installed version (@ai-sdk/provider is not a direct dependency).
 */
export type LanguageModelV3 = Extract<LanguageModel, { specificationVersion: "v3" }>;
export type CallOptions = Parameters<LanguageModelV3["doStream"]>[0];
export type Prompt = CallOptions["prompt"];
export type PromptMessage = Prompt[number];
type StreamResult = Awaited<ReturnType<LanguageModelV3["doStream"]>>;
export type StreamPart = StreamResult["stream"] extends ReadableStream<infer P> ? P : never;
export type GenerateResult = Awaited<ReturnType<LanguageModelV3["doGenerate"]>>;
export type Usage = Extract<StreamPart, { type: "finish" }>["usage"];
