import { openChatRepository } from "@chatlog/better-sqlite3";
import Database from "better-sqlite3";

/**
 * Creates the chatlog schema in `file` and writes `counts[id]` messages into each conversation,
 * all before any server opens the file. (Writing with better-sqlite3 into a file the libSQL
 * driver holds open in the same process is not safe: two SQLite copies in one process do not
 * see each other's POSIX locks, and closing one connection drops the other's. Seen here as
 * "database disk image is malformed" on the libSQL side.)
 */
export async function prepareConversations(file: string, counts: Record<string, number>): Promise<void> {
  const repo = await openChatRepository({ path: file });
  await repo.close();
  for (const [conversationId, count] of Object.entries(counts)) insertMessages(file, conversationId, count);
}

/**
 * Writes `count` alternating user/assistant messages into `conversationId` in one INSERT
 * (a recursive CTE), straight into a migrated database file no other connection has open: a 20k-event conversation in
 * well under a second, where 20k appends through HTTP would take minutes. Seqs continue from
 * the conversation's last one; the schema's triggers keep the summaries right, as they do for
 * rows the Python system writes.
 */
export function insertMessages(file: string, conversationId: string, count: number): void {
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
       INSERT INTO chat_events (id, conversation_id, seq, schema_version, type, role, content, created_at,
         created_at_unix, created_at_ms, extra)
       SELECT :conversation_id || '-' || i, :conversation_id,
         COALESCE((SELECT MAX(seq) FROM chat_events WHERE conversation_id = :conversation_id), 0) + i, 1,
         CASE i % 2 WHEN 1 THEN 'user_message' ELSE 'assistant_message' END,
         CASE i % 2 WHEN 1 THEN 'user' ELSE 'assistant' END,
         'message ' || i, '2026-01-01 00:00:00', 1767225600, 1767225600000 + i, '{}'
       FROM n`,
    ).run({ count, conversation_id: conversationId });
  } finally {
    db.close();
  }
}
