import type { ChatRepository } from "@chatlog/core";
import type { Context } from "hono";
import type { TurnRequest } from "../turns/turn-service.ts";
import { actingRepo, actorOf } from "./auth.ts";
import { HttpError } from "./errors.ts";

/**
 * A user's turn is admitted by storing its user message through their forOwner repository
 * (a retry stores nothing): a conversation of someone else's refuses it (NOT_OWNER, 404) before
 * the turn service, which writes the reply as the server, is involved at all. The
 * administrator's turns go straight to the turn service, as before.
 */
export async function admitTurn(c: Context, repo: ChatRepository, request: TurnRequest): Promise<void> {
  if (actorOf(c).kind === "admin") return;
  await actingRepo(c, repo).handleUserMessagePersistence(
    request.conversationId,
    request.content,
    request.requestId,
  );
}

/**
 * Routes whose answer for an unknown conversation is not a 404 (an empty message list, a 204
 * resume) still answer 404 for another user's conversation, so nothing of it is streamed or
 * replayed to the caller.
 */
export async function assertNotForeign(
  c: Context,
  repo: ChatRepository,
  conversationId: string,
): Promise<void> {
  if (actorOf(c).kind === "admin") return;
  const mine = await actingRepo(c, repo).getEvents(conversationId, { limit: 1 });
  if (mine.length > 0) return;
  const anyone = await repo.getEvents(conversationId, { limit: 1 });
  if (anyone.length > 0) throw new HttpError(404, "NOT_FOUND", `no conversation ${conversationId}`);
}
