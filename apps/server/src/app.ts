import type { ChatRepository } from "@chatlog/core";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type ApiEnv, actorName, identify } from "./http/auth.ts";
import { requireJsonContentType } from "./http/content-type.ts";
import { errorBody, errorResponse, isServerError } from "./http/errors.ts";
import { isLoopbackHost, loopbackHostCheck } from "./http/host-check.ts";
import { originGuard } from "./http/origin.ts";
import { checkRequestIds, correlationId } from "./http/request-ids.ts";
import { setResponseHeader } from "./http/response-headers.ts";
import type { Authenticator } from "./http/users.ts";
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
  /** Resolves bearer tokens: the administrator's CHATLOG_API_TOKEN and users' JSON Web Tokens. */
  auth: Authenticator;
  maxBodyBytes: number;
  /** Browser origins allowed besides the server's own (CHATLOG_CORS_ORIGINS). */
  corsOrigins: readonly string[];
  /** The address the server binds; a loopback one turns on the Host header check. */
  host: string;
  /** The port it listens on, known once it listens (PORT=0 picks one). */
  port: () => number;
}

/** Path prefixes of the API (everything but /healthz and the web page): auth applies there. */
export const API_PREFIXES = ["/v1", "/api"] as const;

/** The HTTP routes; no listening socket (server.ts does that). */
export function createApp(deps: AppDeps): Hono<ApiEnv> {
  const { logger } = deps;
  const app = new Hono<ApiEnv>();

  // One log line per request, with an id the client can quote (X-Request-Id in and out). The
  // header is set after the handler so that responses built by hand (the SSE stream) carry it.
  app.use("*", async (c, next) => {
    const started = performance.now();
    const id = correlationId(c.req.header("x-request-id"));
    await next();
    setResponseHeader(c, "x-request-id", id);
    logger.info("request", {
      requestId: id,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      user: actorName(c.get("actor")),
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  // Who may talk to us at all, for every path (the API, the web page, /healthz): DNS-rebound
  // names, then other sites' pages. CORS preflights are answered here, before auth.
  if (isLoopbackHost(deps.host)) app.use("*", loopbackHostCheck(deps.host, deps.port));
  app.use("*", originGuard(deps.corsOrigins));

  app.route("/", healthRoutes(deps.turns, deps.modelId));

  for (const prefix of API_PREFIXES) app.use(`${prefix}/*`, identify(deps.auth));
  app.use(
    "*",
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: (c) =>
        c.json(
          errorBody("PAYLOAD_TOO_LARGE", `the request body exceeds ${deps.maxBodyBytes} bytes`, {
            maxBytes: deps.maxBodyBytes,
          }),
          413,
        ),
    }),
  );
  app.use("*", requireJsonContentType());
  app.use("*", checkRequestIds());
  app.route("/v1", turnRoutes(deps.turns, deps.repo));
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
