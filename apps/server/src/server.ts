import type { AddressInfo } from "node:net";
import type { ChatRepository } from "@chatlog/core";
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { loadConfig, type ServerConfig } from "./config.ts";
import { Authenticator } from "./http/users.ts";
import { createLogger, type Logger } from "./logging.ts";
import type { LanguageModelV4 } from "./models/model-types.ts";
import type { OfflineModel } from "./models/offline-model.ts";
import { type SelectedModel, selectModel } from "./models/select-model.ts";
import { openRepository } from "./open-repository.ts";
import { TurnService } from "./turns/turn-service.ts";

export interface StartServerOptions {
  /** Environment to read the configuration from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Settings that override the environment. */
  config?: Partial<ServerConfig>;
  /** Shorthand for config.port; 0 picks a free port. */
  port?: number;
  logger?: Logger;
  /**
   * The model to answer with instead of the one CHATLOG_MODEL selects: any AI SDK language model
   * (LanguageModelV4); replies store its modelId. Tests pass a scripted one.
   */
  languageModel?: LanguageModelV4;
}

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  repo: ChatRepository;
  turns: TurnService;
  /** The offline model when it is the configured one (tests count its calls). */
  model: OfflineModel | null;
  /** Graceful stop: no new connections, turns in flight finish (or are interrupted), database closed. */
  close(): Promise<void>;
}

/** How long shutdown lets finished turns' streams flush before cutting the remaining sockets. */
const STREAM_FLUSH_MS = 1_000;

/** Opens the database, finalizes interrupted turns, and starts listening. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config: ServerConfig = {
    ...loadConfig(options.env ?? process.env),
    ...options.config,
    ...(options.port === undefined ? {} : { port: options.port }),
  };
  const logger = options.logger ?? createLogger(config.logLevel);
  const repo = await openRepository(config);
  const selected: SelectedModel = options.languageModel
    ? { model: options.languageModel, modelId: options.languageModel.modelId, offline: null }
    : selectModel(config);
  const turns = new TurnService({
    repo,
    model: selected.model,
    modelId: selected.modelId,
    systemPrompt: config.systemPrompt,
    logger,
    persistDeltas: config.persistDeltas,
    followPollMs: config.followPollMs,
    claims: { staleMs: config.claimStaleMs, heartbeatMs: config.claimHeartbeatMs },
  });
  try {
    // Finalizes only turns whose generator is gone; another live server's turns are left alone.
    await turns.start();
  } catch (error) {
    await turns.drain(0);
    await repo.close();
    throw error;
  }
  let boundPort = config.port;
  const app = createApp({
    repo,
    turns,
    logger,
    modelId: selected.modelId,
    auth: new Authenticator(config.apiToken, config.jwt),
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    host: config.host,
    port: () => boundPort,
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  boundPort = port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      await turns.drain(config.shutdownTimeoutMs);
      // Every turn has ended, but its streams may still be writing their last frame: give them
      // a moment to finish on their own; whatever is left then is an idle or stuck socket.
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, STREAM_FLUSH_MS).unref())]);
      if ("closeAllConnections" in server) server.closeAllConnections();
      await closed;
      await repo.close();
    })();
    return closing;
  };

  return { url: `http://${host}:${port}`, port, config, repo, turns, model: selected.offline, close };
}
