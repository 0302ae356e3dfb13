import { assertId, assertTitle, type ChatRepository } from "@chatlog/core";
import { Hono } from "hono";
import { actingRepo, actorOf } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { EVENT_PAGE, LIST_PAGE, pageLimit, queryCursor } from "../http/paging.ts";
import { onlyFields, queryInt, readJsonObject } from "../http/request-body.ts";

/**
 * Conversations and their events, every list bounded and cursor-paged. Each request acts
 * through actingRepo: a user's reads see only their own conversations (another user's is a 404,
 * whatever the cursor), their list holds only theirs.
 */
export function conversationRoutes(root: ChatRepository): Hono {
  const app = new Hono();

  async function ensureExists(repo: ChatRepository, conversationId: string): Promise<void> {
    const [any] = await repo.getEvents(conversationId, { limit: 1 });
    if (!any) throw new HttpError(404, "NOT_FOUND", `no conversation ${conversationId}`);
  }

  app.get("/conversations", async (c) => {
    const repo = actingRepo(c, root);
    const limit = pageLimit(c, LIST_PAGE);
    const cursor = queryCursor(c);
    const page = await repo.listConversations({ limit, ...(cursor ? { cursor } : {}) });
    return c.json(page);
  });

  app.get("/conversations/:id/events", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "conversationId");
    const repo = actingRepo(c, root);
    const afterSeq = queryInt(c, "afterSeq");
    const beforeSeq = queryInt(c, "beforeSeq");
    const limit = pageLimit(c, EVENT_PAGE);
    const events = await repo.getEvents(conversationId, {
      limit,
      ...(afterSeq === undefined ? {} : { afterSeq }),
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
    });
    const paged = afterSeq !== undefined || beforeSeq !== undefined;
    if (events.length === 0 && (!paged || actorOf(c).kind === "user"))
      await ensureExists(repo, conversationId);
    const full = events.length === limit;
    const backward = beforeSeq !== undefined && afterSeq === undefined;
    return c.json({
      events,
      // Forward: pass as afterSeq for the next page. Backward: pass prevBeforeSeq as beforeSeq.
      nextAfterSeq: !backward && full ? (events.at(-1)?.seq ?? null) : null,
      prevBeforeSeq: backward && full ? (events[0]?.seq ?? null) : null,
    });
  });

  // The most recent `limit` LLM-visible events; prevBeforeSeq pages back to older ones (events
  // with seq below the page's first). One event more than the page is read, so a full page
  // knows there is more. The library leaves out tool results whose call is older than the
  // window, so a short page may still have events before it: one indexed probe says whether
  // the walk goes on. The results left out come back on the older page, beside their call.
  app.get("/conversations/:id/history", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "conversationId");
    const repo = actingRepo(c, root);
    const limit = pageLimit(c, EVENT_PAGE);
    const beforeSeq = queryInt(c, "beforeSeq");
    const read = await repo.getConversationHistory(conversationId, {
      limit: limit + 1,
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
    });
    const events = read.length > limit ? read.slice(read.length - limit) : read;
    const first = events[0]?.seq;
    let prevBeforeSeq: number | null = null;
    if (first !== undefined) {
      const more =
        read.length > limit ||
        (await repo.getEvents(conversationId, { beforeSeq: first, limit: 1 })).length > 0;
      if (more) prevBeforeSeq = first;
    } else if (beforeSeq === undefined || actorOf(c).kind === "user") {
      await ensureExists(repo, conversationId);
    }
    return c.json({ events, prevBeforeSeq });
  });

  // A person's rename: { "title": string | null } (null goes back to the first message's text).
  app.patch("/conversations/:id", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "conversationId");
    const body = await readJsonObject(c);
    onlyFields(body, ["title"]);
    if (!("title" in body))
      throw new HttpError(400, "INVALID_ARGUMENT", "title is required (a string, or null)");
    const { title } = body;
    assertTitle(title, "title");
    await actingRepo(c, root).setConversationTitle(conversationId, title);
    return c.json({ conversationId, title });
  });

  // Erasure of one conversation: its events, summary and saved snapshots, in one commit.
  app.delete("/conversations/:id", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "conversationId");
    const deleted = await actingRepo(c, root).deleteConversation(conversationId);
    if (deleted.deletedEvents === 0 && deleted.deletedSavedSessions === 0) {
      throw new HttpError(404, "NOT_FOUND", `no conversation ${conversationId}`);
    }
    return c.json(deleted);
  });

  return app;
}
