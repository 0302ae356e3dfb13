import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HranaServer, startHranaServer } from "@chatlog/hrana-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChildServer, spawnServer } from "./helpers/child-server.ts";
import { expectRetryFollowsOtherProcess } from "./helpers/follow-scenario.ts";
import { countRows } from "./helpers/raw-db.ts";
import { jsonOf, runTurn } from "./helpers/sse.ts";

const TOKEN = "remote-test-token";

/**
 * The chat service on a remote libSQL database: DATABASE_URL=http://… and DATABASE_AUTH_TOKEN
 * pointing at the Hrana test server (the protocol sqld / Turso speak), the server processes
 * real, the database file read directly to check what was stored.
 */
describe("server processes on a remote database (Hrana over HTTP)", () => {
  let dir: string;
  let file: string;
  let db: HranaServer;
  const children: ChildServer[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "chatlog-server-remote-"));
    file = join(dir, "remote.db");
    db = await startHranaServer({ file, authToken: TOKEN });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
      await c.exited;
    }
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<ChildServer> {
    const server = await spawnServer({ DATABASE_URL: db.url, DATABASE_AUTH_TOKEN: TOKEN, ...env });
    children.push(server);
    return server;
  }

  it("migrates the remote database, streams a turn into it, and replays it on a retry", async () => {
    const server = await start();
    const turn = await runTurn(server.url, "c1", { content: "What time is it?", requestId: "r1" });
    expect(turn.status).toBe(200);
    expect(turn.done?.content).toBe(turn.text);
    expect(turn.text.length).toBeGreaterThan(0);
    // Stored remotely: the user message, the tool call and its result, one reply, no deltas left.
    expect(countRows(file, "type = 'user_message'")).toBe(1);
    expect(countRows(file, "type = 'assistant_message'")).toBe(1);
    expect(countRows(file, "type = 'meta'")).toBe(0);

    const retry = await runTurn(server.url, "c1", { content: "What time is it?", requestId: "r1" });
    expect(retry.start).toMatchObject({ replay: true });
    expect(retry.done?.content).toBe(turn.done?.content);
    expect(countRows(file, "type = 'assistant_message'")).toBe(1);

    const history = await jsonOf(await fetch(`${server.url}/v1/conversations/c1/events`));
    expect(JSON.stringify(history)).toContain(turn.done?.content);
  });

  it("two server processes on the one remote database: a retry on the other follows the same generation", () =>
    expectRetryFollowsOtherProcess(start, file));

  it("a wrong token or an unreachable database stops the start with a one-line error naming the URL", async () => {
    await expect(start({ DATABASE_AUTH_TOKEN: "wrong" })).rejects.toThrow(
      new RegExp(`remote database ${db.url} refused the token`),
    );
    const url = db.url;
    await db.close();
    await expect(start()).rejects.toThrow(
      new RegExp(`remote database ${url} is unreachable: connection refused`),
    );
    db = await startHranaServer({ file, authToken: TOKEN });
  });
});
