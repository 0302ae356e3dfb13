import { chatTurnResponse, loadUIMessages } from "@chatlog/ai-sdk";
import { type ChatRepository, isChatlogError } from "@chatlog/core";
import { convertToModelMessages, type LanguageModel, stepCountIs, streamText, tool } from "ai";
import { z } from "zod";

export const tools = {
  weather: tool({
    description: "The weather in a city",
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, temperature: 18 + (city.length % 10), sky: "clear" }),
  }),
  deleteFile: tool({
    description: "Deletes a file (asks the user first)",
    inputSchema: z.object({ path: z.string() }),
    needsApproval: true,
    execute: async ({ path }) => ({ deleted: path }),
  }),
};

/** The JSON error body of a rejected request. */
function failure(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

/**
 * `POST /api/chat`: the body `useChat`'s DefaultChatTransport sends ({ id, messages, ... }). Only
 * the last message is used: the stored conversation, not the client's copy, is what the model
 * sees, and that message's id makes the request exactly once.
 */
export async function postChat(
  repo: ChatRepository,
  model: LanguageModel,
  request: Request,
): Promise<Response> {
  const body = (await request.json().catch(() => null)) as { id?: unknown; messages?: unknown } | null;
  if (typeof body?.id !== "string" || !Array.isArray(body.messages) || body.messages.length === 0) {
    return failure(400, "INVALID_ARGUMENT", "expected { id, messages: [...] }");
  }
  try {
    return await chatTurnResponse({
      repo,
      conversationId: body.id,
      message: body.messages.at(-1),
      model: "offline",
      historyLimit: 50,
      // A continuation may carry outputs only for tools declared here without execute.
      tools,
      // abortSignal: a stop (stopChatTurn) or a takeover by another process ends the model call.
      generate: async ({ messages, abortSignal }) =>
        streamText({
          model,
          ...(abortSignal ? { abortSignal } : {}),
          messages: await convertToModelMessages(messages),
          tools,
          stopWhen: stepCountIs(5),
        }),
    });
  } catch (error) {
    if (isChatlogError(error)) return failure(statusOf(error.code), error.code, error.message);
    throw error;
  }
}

/** A request id (a message id) already used for something else is a conflict; other bad input a 400. */
function statusOf(code: string): number {
  return code === "REQUEST_ID_CONFLICT" ? 409 : 400;
}

/** `GET /api/chat/{id}/messages?limit=&cursor=`: `{ messages, nextCursor }` for useChat's initial messages. */
export async function getMessages(repo: ChatRepository, conversationId: string, url: URL): Promise<Response> {
  const limit = url.searchParams.get("limit");
  try {
    const page = await loadUIMessages(repo, conversationId, {
      ...(limit !== null ? { limit: Number(limit) } : {}),
      cursor: url.searchParams.get("cursor"),
    });
    return Response.json(page);
  } catch (error) {
    if (isChatlogError(error)) return failure(400, error.code, error.message);
    throw error;
  }
}
