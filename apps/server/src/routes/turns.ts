import { randomUUID } from "node:crypto";
import { assertClientRequestId, assertId, type ChatRepository, type TurnKey } from "@chatlog/core";
import { Hono } from "hono";
import { HttpError } from "../http/errors.ts";
import { checkId } from "../http/ids.ts";
import { admitTurn, assertNotForeign } from "../http/owner-gate.ts";
import { onlyFields, readJsonObject } from "../http/request-body.ts";
import { encodeHeaderValue } from "../http/response-headers.ts";
import { sseResponse } from "../http/sse.ts";
import {
  type OpenedTurn,
  ShuttingDownError,
  type TurnRequest,
  type TurnService,
} from "../turns/turn-service.ts";

function requestIdFrom(body: Record<string, unknown>, header: string | undefined): string {
  const fromBody = body.requestId;
  if (fromBody !== undefined && (typeof fromBody !== "string" || fromBody.length === 0)) {
    throw new HttpError(400, "INVALID_ARGUMENT", "requestId must be a non-empty string");
  }
  if (header !== undefined && header.length === 0) {
    throw new HttpError(400, "INVALID_ARGUMENT", "Idempotency-Key must not be empty");
  }
  if (fromBody !== undefined && header !== undefined && fromBody !== header) {
    throw new HttpError(400, "REQUEST_ID_MISMATCH", "requestId and the Idempotency-Key header differ");
  }
  const requestId = fromBody ?? header ?? randomUUID();
  checkId(requestId, "requestId");
  assertClientRequestId(requestId);
  return requestId;
}

/** Opens a turn; a server that is shutting down answers 503. */
export async function openTurn(turns: TurnService, request: TurnRequest): Promise<OpenedTurn> {
  try {
    return await turns.open(request);
  } catch (error) {
    if (error instanceof ShuttingDownError) throw new HttpError(503, "SHUTTING_DOWN", error.message);
    throw error;
  }
}

/** Stops a turn in flight; a server that is shutting down answers 503. */
export async function stopTurn(
  turns: TurnService,
  conversationId: string,
  requestId?: string,
): Promise<TurnKey> {
  try {
    return await turns.stop(conversationId, requestId);
  } catch (error) {
    if (error instanceof ShuttingDownError) throw new HttpError(503, "SHUTTING_DOWN", error.message);
    throw error;
  }
}

/** POST /v1/conversations/:id/turns: store the user message once, stream the reply as SSE. */
export function turnRoutes(turns: TurnService, repo: ChatRepository): Hono {
  const app = new Hono();
  app.post("/conversations/:id/turns", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "conversationId");
    const body = await readJsonObject(c);
    onlyFields(body, ["content", "requestId"]);
    const { content } = body;
    if (typeof content !== "string") throw new HttpError(400, "INVALID_ARGUMENT", "content must be a string");
    if (content.trim().length === 0)
      throw new HttpError(400, "INVALID_ARGUMENT", "content must not be empty");
    const requestId = requestIdFrom(body, c.req.header("idempotency-key"));

    const request = { conversationId, requestId, content };
    await admitTurn(c, repo, request);
    const opened = await openTurn(turns, request);
    return sseResponse(
      opened.events.subscribe(),
      { conversationId, requestId, joined: opened.joined },
      {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
        "x-chatlog-request-id": encodeHeaderValue(requestId),
      },
    );
  });
  app.post("/conversations/:id/turns/:requestId/stop", async (c) => {
    const conversationId = c.req.param("id");
    const requestId = c.req.param("requestId");
    assertId(conversationId, "conversationId");
    assertId(requestId, "requestId");
    // Another user's turn is theirs to stop: 404, as for any of their conversations.
    await assertNotForeign(c, repo, conversationId);
    const turn = await stopTurn(turns, conversationId, requestId);
    return c.json({ stopped: true, requestId: turn.userRequestId });
  });
  return app;
}
