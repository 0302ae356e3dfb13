import { join } from "node:path";
import { tempDir } from "@chatlog/conformance";
import { SQL } from "@chatlog/sqlite";
import Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openChatRepository } from "../src/index.ts";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

/**
 * SQLite rewrites an index entry whenever an UPDATE sets a column the index names, whatever the
 * value. The list's indexes name last_activity_ms and listed (drizzle/0011), so the summary
 * triggers (drizzle/0012) may set them only when they change: an UPDATE OF trigger on those
 * columns counts how often they are set, which is how often the list's index entries are rewritten.
 */
it("appends rewrite the list's index entry only when the last activity or the listed mark changes", async () => {
  const file = join(tmp.dir, "chat.db");
  const client = new Database(file);
  const repo = await openChatRepository({ client });
  try {
    client.exec(`CREATE TABLE list_index_sets (n INTEGER NOT NULL);
      CREATE TRIGGER count_list_index_sets AFTER UPDATE OF last_activity_ms, listed, owner_id ON chat_conversations
      BEGIN INSERT INTO list_index_sets VALUES (1); END;`);
    const sets = () => (client.prepare("SELECT COUNT(*) AS n FROM list_index_sets").get() as { n: number }).n;
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    const add = (content: string, ms: number) =>
      repo.addEvent({ conversationId: "c", type: "user_message", role: "user", content, createdAt: at(ms) });

    await add("first", 0); // a new summary row: inserted, nothing updated
    await add("same instant", 0);
    await add("older", -5);
    await add("same instant again", 0);
    expect(sets()).toBe(0);
    await add("later", 1);
    expect(sets()).toBe(1);

    const [summary] = (await repo.listConversations()).conversations;
    expect(summary).toMatchObject({ eventCount: 5, createdAt: at(-5), lastActivityAt: at(1) });

    // Compaction-like deletions count down without touching the index; the last one unlists.
    client.prepare("DELETE FROM chat_events WHERE conversation_id = 'c' AND seq < 5").run();
    expect(sets()).toBe(1);
    client.prepare("DELETE FROM chat_events WHERE conversation_id = 'c'").run();
    expect(sets()).toBe(2);
    expect((await repo.listConversations()).conversations).toEqual([]);
  } finally {
    await repo.close();
    client.close();
  }
});

it("the list statements read through the list's partial indexes, never a scan and sort", async () => {
  const client = new Database(join(tmp.dir, "chat.db"));
  const repo = await openChatRepository({ client });
  try {
    const plan = (sql: string) =>
      (
        client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({
          cursor_ms: 0,
          cursor_id: "",
          limit: 1,
          list_owner: "u",
          owner_id: null,
          keep: 1,
        }) as { detail: string }[]
      )
        .map((row) => row.detail)
        .join("\n");
    expect(plan(SQL.listConversations.sql)).toMatch(/USING INDEX idx_conversations_activity/);
    expect(plan(SQL.listConversations.sql)).not.toMatch(/TEMP B-TREE/);
    expect(plan(SQL.listOwnerConversations.sql)).toMatch(/USING INDEX idx_conversations_owner/);
    expect(plan(SQL.listOwnerConversations.sql)).not.toMatch(/TEMP B-TREE/);
  } finally {
    await repo.close();
    client.close();
  }
});
