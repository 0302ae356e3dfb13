import { assertId, type ChatRepository } from "@chatlog/core";
import { Hono } from "hono";
import { actingRepo } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { EVENT_PAGE, LIST_PAGE, pageLimit, queryCursor } from "../http/paging.ts";
import { onlyFields, queryInt, readJsonObject } from "../http/request-body.ts";

/**
 * Clearing (the seed's clear trigger; the administrator's only) and saved sessions, each
 * request acting through actingRepo (a user saves, lists, loads and deletes only their own).
 */
export function sessionRoutes(root: ChatRepository): Hono {
  const app = new Hono();

  app.post("/clear", async (c) => {
    const wiped = await actingRepo(c, root).handleClearSession();
    return c.json({ wiped });
  });

  app.post("/conversations/:id/save", async (c) => {
    const conversationId = c.req.param("id");
    assertId(conversationId, "conversationId");
    const body = await readJsonObject(c, true);
    onlyFields(body, ["name"]);
    const { name } = body;
    if (name !== undefined && typeof name !== "string") {
      throw new HttpError(400, "INVALID_ARGUMENT", "name must be a string");
    }
    const savedId = await actingRepo(c, root).saveSession(conversationId, name);
    return c.json({ savedId }, 201);
  });

  app.get("/saved", async (c) => {
    const limit = pageLimit(c, LIST_PAGE);
    const cursor = queryCursor(c);
    return c.json(await actingRepo(c, root).listSavedSessionsPage({ limit, ...(cursor ? { cursor } : {}) }));
  });

  // A saved snapshot in seq order, a page at a time: pass nextAfterSeq as afterSeq.
  app.get("/saved/:savedId", async (c) => {
    const savedId = c.req.param("savedId");
    const limit = pageLimit(c, EVENT_PAGE);
    const afterSeq = queryInt(c, "afterSeq");
    const page = await actingRepo(c, root).loadSavedSessionPage(savedId, {
      limit,
      ...(afterSeq === undefined ? {} : { afterSeq }),
    });
    return c.json({ savedId, ...page });
  });

  // Removes the snapshot only; the conversation's events stay. 404 when there is no such id,
  // as DELETE /conversations/{id} answers.
  app.delete("/saved/:savedId", async (c) => {
    const savedId = c.req.param("savedId");
    assertId(savedId, "savedId");
    if (!(await actingRepo(c, root).deleteSavedSession(savedId))) {
      throw new HttpError(404, "NOT_FOUND", `no saved session ${savedId}`);
    }
    return c.json({ savedId, deleted: true });
  });

  return app;
}
