import { assertId, type ChatRepository } from "@chatlog/core";
import { Hono } from "hono";
import { HttpError } from "../http/errors.ts";
import { queryInt } from "../http/request-body.ts";

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** Conversations and their events, cursor-paged. */
export function conversationRoutes(repo: ChatRepository): Hono {
  const app = new Hono();

  async function ensureExists(conversationId: string): Promise<void> {
    const [any] = await repo.getEvents(conversationId, { limit: 1 });
    if (!any) throw new HttpError(404, "NOT_FOUND", `no conversation ${conversationId}`);
  }

  app.get("/conversations", async (c) => {
    const limit = queryInt(c, "limit", MAX_PAGE);
    const cursor = c.req.query("cursor");
    const page = await repo.listConversations({
      ...(limit === undefined ? {} : { limit }),
      ...(cursor ? { cursor } : {}),
    });
    return c.json(page);
  });

  app.get("/conversations/:id/events", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "conversationId");
    const afterSeq = queryInt(c, "afterSeq");
    const beforeSeq = queryInt(c, "beforeSeq");
    const limit = queryInt(c, "limit", MAX_PAGE) ?? DEFAULT_PAGE;
    if (limit === 0) throw new HttpError(400, "INVALID_ARGUMENT", "limit must be at least 1");
    const events = await repo.getEvents(conversationId, {
      limit,
      ...(afterSeq === undefined ? {} : { afterSeq }),
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
    });
    if (events.length === 0 && afterSeq === undefined && beforeSeq === undefined)
      await ensureExists(conversationId);
    const full = events.length === limit;
    const backward = beforeSeq !== undefined && afterSeq === undefined;
    return c.json({
      events,
      // Forward: pass as afterSeq for the next page. Backward: pass prevBeforeSeq as beforeSeq.
      nextAfterSeq: !backward && full ? (events.at(-1)?.seq ?? null) : null,
      prevBeforeSeq: backward && full ? (events[0]?.seq ?? null) : null,
    });
  });

  app.get("/conversations/:id/history", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "conversationId");
    const limit = queryInt(c, "limit", MAX_PAGE);
    if (limit === 0) throw new HttpError(400, "INVALID_ARGUMENT", "limit must be at least 1");
    const events = await repo.getConversationHistory(conversationId, limit === undefined ? {} : { limit });
    if (events.length === 0) await ensureExists(conversationId);
    return c.json({ events });
  });

  return app;
}
