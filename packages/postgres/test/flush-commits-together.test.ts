import { setTimeout as sleep } from "node:timers/promises";
import type { Opened } from "@chatlog/conformance";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { postgresUrl } from "./harnesses.ts";

/**
 * What SQLite's one transaction per flush gives a conversation, on Postgres: the writes a flush
 * holds for one conversation commit together, so no reader ever sees the first without the rest.
 * Made deterministic by stalling the second write: another connection holds an uncommitted event
 * with the id the second write uses, so that write waits on the unique index until it is released.
 */
describe("postgres: one conversation's writes in a flush", () => {
  let db: Opened | undefined;
  const clients: pg.Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end()));
    await db?.dispose();
  });

  async function connect(url: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => {});
    await client.connect();
    clients.push(client);
    return client;
  }

  /** Waits until some connection waits for a lock (the stalled write). */
  async function untilWaitingForLock(observer: pg.Client): Promise<void> {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      const { rows } = await observer.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (rows[0].n > 0) return;
      await sleep(10);
    }
    throw new Error("the second write never waited for the held id");
  }

  it("commit together: while the second waits, the first is not visible either", async () => {
    db = await postgresUrl.create();
    const url = db.file!;
    const holder = await connect(url);
    const observer = await connect(url);
    await holder.query("BEGIN");
    await holder.query(
      `INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, created_at_ms)
       VALUES ('taken-id', 'elsewhere', 1, 1, 'meta', 0)`,
    );
    // A user's writes are jobs of several statements (ownership, then the append): one lane.
    const alice = db.repo.forOwner("alice");
    const first = alice.addEvent({
      conversationId: "c",
      type: "user_message",
      role: "user",
      content: "first",
    });
    const second = alice.addEvent({
      id: "taken-id",
      conversationId: "c",
      type: "user_message",
      role: "user",
      content: "second",
    });
    await untilWaitingForLock(observer);
    const visible = await observer.query("SELECT content FROM chat_events WHERE conversation_id = 'c'");
    expect(visible.rows).toEqual([]);
    await holder.query("ROLLBACK");
    expect((await first).added).toBe(true);
    expect((await second).added).toBe(true);
    const stored = await observer.query(
      "SELECT content, seq FROM chat_events WHERE conversation_id = 'c' ORDER BY seq",
    );
    expect(stored.rows).toEqual([
      { content: "first", seq: "1" },
      { content: "second", seq: "2" },
    ]);
  });
});
