import type { ChatRepository } from "@chatlog/core";
import type { Context, MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";
import { type Actor, ADMIN, type Authenticator } from "./users.ts";

/** The request context's variables the API routes share. */
export type ApiEnv = { Variables: { actor: Actor } };

/**
 * `Authorization: Bearer <token>`: the administrator's token or a user's JSON Web Token (see
 * Authenticator). Without any auth configured, every request is the administrator, as before.
 * A missing or refused token is 401 before any handler runs, so it writes nothing.
 */
export function identify(auth: Authenticator): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!auth.required) {
      c.set("actor", ADMIN);
      return next();
    }
    const match = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
    const actor = match?.[1] ? await auth.actorOf(match[1].trim()) : null;
    if (actor === null) {
      c.header("WWW-Authenticate", 'Bearer realm="chatlog"');
      return c.json(errorBody("UNAUTHORIZED", "missing, wrong or expired bearer token"), 401);
    }
    c.set("actor", actor);
    await next();
  };
}

/** Who the request acts as (set by identify); fails closed on a route identify did not run for. */
export function actorOf(c: Context): Actor {
  const actor = (c as unknown as Context<ApiEnv>).get("actor") as Actor | undefined;
  if (actor === undefined) throw new Error(`no actor for ${c.req.path}: identify() did not run`);
  return actor;
}

/**
 * The repository a request acts through: the administrator's as it is, a user's through
 * forOwner, so every route's reads and writes are that user's by construction.
 */
export function actingRepo(c: Context, repo: ChatRepository): ChatRepository {
  const actor = actorOf(c);
  return actor.kind === "admin" ? repo : repo.forOwner(actor.userId);
}

/** The name a log line gives the actor (never the token). */
export function actorName(actor: Actor | undefined): string | undefined {
  if (actor === undefined) return undefined;
  return actor.kind === "admin" ? "admin" : `user:${actor.userId}`;
}
