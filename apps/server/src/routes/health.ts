import { Hono } from "hono";
import type { TurnService } from "../turns/turn-service.ts";

export function healthRoutes(turns: TurnService, modelId: string): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true, model: modelId, turnsInFlight: turns.inFlight }));
  return app;
}
