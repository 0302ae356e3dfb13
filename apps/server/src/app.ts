import { randomUUID } from "node:crypto";
import type { ChatRepository } from "@chatlog/core";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requireBearer } from "./http/auth.ts";
import { errorBody, errorResponse, isServerError } from "./http/errors.ts";
import type { Logger } from "./logging.ts";
import { aiChatRoutes } from "./routes/ai-chat.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { healthRoutes } from "./routes/health.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { turnRoutes } from "./routes/turns.ts";
import { webRoutes } from "./routes/web.ts";
import type { TurnService } from "./turns/turn-service.ts";

export interface AppDeps {
  repo: ChatRepository;
  turns: TurnService;
  logger: Logger;
  modelId: string;
  apiToken: string | undefined;
  maxBodyBytes: number;
}

/** The HTTP routes; no listening socket (server.ts does that). */
export function createApp(deps: AppDeps): Hono {
  const { logger } = deps;
  const app = new Hono();

  // One log line per request, with an id the client can quote (X-Request-Id in and out).
  app.use("*", async (c, next) => {
    const started = performance.now();
    const id = c.req.header("x-request-id") || randomUUID();
    c.header("x-request-id", id);
    await next();
    logger.info("request", {
      requestId: id,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  app.route("/", healthRoutes(deps.turns, deps.modelId));

  // /v1 (chatlog's own protocol) and /api (the AI SDK's) share auth and body limits.
  for (const prefix of ["/v1/*", "/api/*"]) {
    if (deps.apiToken !== undefined) app.use(prefix, requireBearer(deps.apiToken));
    app.use(
      prefix,
      bodyLimit({
        maxSize: deps.maxBodyBytes,
        onError: (c) =>
          c.json(errorBody("PAYLOAD_TOO_LARGE", `the request body exceeds ${deps.maxBodyBytes} bytes`), 413),
      }),
    );
  }
  app.route("/v1", turnRoutes(deps.turns));
  app.route("/v1", conversationRoutes(deps.repo));
  app.route("/v1", sessionRoutes(deps.repo));
  app.route("/api", aiChatRoutes(deps.turns, deps.repo));
  app.route("/", webRoutes());

  app.notFound((c) => c.json(errorBody("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    if (isServerError(error)) logger.error("request failed", { path: c.req.path, error });
    return errorResponse(c, error);
  });
  return app;
}
