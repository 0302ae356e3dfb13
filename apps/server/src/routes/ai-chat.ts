import { loadUIMessages } from "@chatlog/ai-sdk";
import { assertClientRequestId, assertId, type ChatRepository } from "@chatlog/core";
import { Hono } from "hono";
import { actingRepo } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { admitTurn, assertNotForeign } from "../http/owner-gate.ts";
import { onlyFields, queryInt, readJsonObject } from "../http/request-body.ts";
import { UI_MESSAGE_STREAM_HEADERS, uiMessageStream } from "../http/ui-message-stream.ts";
import { ShuttingDownError, type TurnRequest, type TurnService } from "../turns/turn-service.ts";
import { openTurn, stopTurn } from "./turns.ts";

const TRIGGERS = ["submit-message", "regenerate-message"] as const;
/** Page size of GET /api/chat/{id}/messages when none is given, and the most it may ask for. */
const DEFAULT_MESSAGES_PAGE = 100;
const MAX_MESSAGES_PAGE = 1000;

function bad(message: string): HttpError {
  return new HttpError(400, "INVALID_ARGUMENT", message);
}

/**
 * The turn a DefaultChatTransport body asks for. Only the last message counts (the client may
 * send the whole list or only that one): it must be the user message being answered, and its id
 * is the idempotency key. What the model sees is the stored history, never the client's copy.
 */
export function turnRequestOf(body: Record<string, unknown>): TurnRequest {
  onlyFields(body, ["id", "messages", "trigger", "messageId"]);
  const { id, messages, trigger, messageId } = body;
  assertId(id, "id");
  if (trigger !== undefined && !TRIGGERS.includes(trigger as (typeof TRIGGERS)[number])) {
    throw bad(`trigger must be one of ${TRIGGERS.join(", ")}`);
  }
  if (messageId !== undefined) assertId(messageId, "messageId");
  if (!Array.isArray(messages) || messages.length === 0) throw bad("messages must be a non-empty array");
  const last = messages.at(-1) as Record<string, unknown> | null;
  if (typeof last !== "object" || last === null || Array.isArray(last))
    throw bad("each message must be an object");
  if (last.role !== "user") {
    throw bad(
      "the last message must be the user message to answer (continuations of an assistant message are not supported)",
    );
  }
  assertId(last.id, "messages[-1].id");
  assertClientRequestId(last.id, "messages[-1].id");
  if (!Array.isArray(last.parts)) throw bad("messages[-1].parts must be an array");
  const texts: string[] = [];
  for (const part of last.parts as unknown[]) {
    const p = part as Record<string, unknown> | null;
    if (typeof p !== "object" || p === null || typeof p.type !== "string")
      throw bad("each part must be an object with a type");
    if (p.type === "text") {
      if (typeof p.text !== "string") throw bad("a text part needs a string text");
      texts.push(p.text);
    } else if (p.type !== "step-start") {
      throw bad(`user message parts of type ${p.type} are not supported here (text only)`);
    }
  }
  const content = texts.join("\n");
  if (content.trim().length === 0) throw bad("the user message has no text");
  return {
    conversationId: id,
    requestId: last.id,
    content,
    ...(trigger === "regenerate-message"
      ? { regenerate: { messageId: messageId as string | undefined } }
      : {}),
  };
}

function uiStreamResponse(events: AsyncGenerator<import("../turns/turn-events.ts").TurnEvent>): Response {
  return new Response(uiMessageStream(events), { status: 200, headers: UI_MESSAGE_STREAM_HEADERS });
}

/**
 * The AI SDK front door (useChat + DefaultChatTransport, api "/api/chat"): a view of the same
 * turn service as /v1, so a turn begun on one protocol and retried on the other is one turn.
 */
export function aiChatRoutes(turns: TurnService, repo: ChatRepository): Hono {
  const app = new Hono();

  app.post("/chat", async (c) => {
    const request = turnRequestOf(await readJsonObject(c));
    await admitTurn(c, repo, request);
    const opened = await openTurn(turns, request);
    return uiStreamResponse(opened.events.subscribe());
  });

  // Stop: ends the conversation's reply in flight (the page's Stop button); see the README.
  app.post("/chat/:id/stop", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "id");
    await assertNotForeign(c, repo, conversationId);
    const turn = await stopTurn(turns, conversationId);
    return c.json({ stopped: true, requestId: turn.userRequestId });
  });

  app.get("/chat/:id/stream", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "id");
    await assertNotForeign(c, repo, conversationId);
    let events: Awaited<ReturnType<TurnService["resume"]>>;
    try {
      events = await turns.resume(conversationId);
    } catch (error) {
      if (error instanceof ShuttingDownError) throw new HttpError(503, "SHUTTING_DOWN", error.message);
      throw error;
    }
    if (events === null) return c.body(null, 204);
    return uiStreamResponse(events.subscribe());
  });

  app.get("/chat/:id/messages", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "id");
    const limit = queryInt(c, "limit", MAX_MESSAGES_PAGE) ?? DEFAULT_MESSAGES_PAGE;
    if (limit === 0) throw bad("limit must be at least 1");
    const cursor = c.req.query("cursor") || null;
    await assertNotForeign(c, repo, conversationId);
    const page = await loadUIMessages(actingRepo(c, repo), conversationId, { limit, cursor });
    return c.json({ messages: page.messages, nextCursor: page.nextCursor });
  });

  return app;
}
