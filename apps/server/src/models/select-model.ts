import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { ServerConfig } from "../config.ts";
import type { LanguageModelV4 } from "./model-types.ts";
import { OfflineModel } from "./offline-model.ts";

export interface SelectedModel {
  model: LanguageModelV4;
  /** Stored as the reply's `model`. */
  modelId: string;
  /** The offline model, when that is the one in use (tests read its call count). */
  offline: OfflineModel | null;
}

/** "offline" is the embedded default; any other id goes to the configured OpenAI-compatible endpoint. */
export function selectModel(
  config: Pick<
    ServerConfig,
    "model" | "openaiBaseUrl" | "openaiApiKey" | "offlineDelayMs" | "offlineReplyWords"
  >,
): SelectedModel {
  if (config.model === "offline") {
    const offline = new OfflineModel({
      delayMs: config.offlineDelayMs,
      replyWords: config.offlineReplyWords,
    });
    return { model: offline, modelId: offline.modelId, offline };
  }
  const provider = createOpenAICompatible({
    name: "openai-compatible",
    baseURL: config.openaiBaseUrl ?? "",
    ...(config.openaiApiKey === undefined ? {} : { apiKey: config.openaiApiKey }),
  });
  return { model: provider.chatModel(config.model), modelId: config.model, offline: null };
}
