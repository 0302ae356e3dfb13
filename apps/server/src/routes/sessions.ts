import { assertId, type ChatRepository } from "@chatlog/core";
import { Hono } from "hono";
import { HttpError } from "../http/errors.ts";
import { onlyFields, readJsonObject } from "../http/request-body.ts";

/** Clearing (the seed's clear trigger) and saved sessions. */
export function sessionRoutes(repo: ChatRepository): Hono {
  const app = new Hono();

  app.post("/clear", async (c) => {
    const wiped = await repo.handleClearSession();
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
    const savedId = await repo.saveSession(conversationId, name);
    return c.json({ savedId }, 201);
  });

  app.get("/saved", async (c) => c.json({ saved: await repo.listSavedSessions() }));

  app.get("/saved/:savedId", async (c) => {
    const savedId = c.req.param("savedId");
    const events = await repo.loadSavedSession(savedId);
    return c.json({ savedId, events });
  });

  return app;
}
