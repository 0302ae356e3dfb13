import { expect } from "vitest";
import type { ChildServer } from "./child-server.ts";
import { countRows as countFileRows } from "./raw-db.ts";
import { runTurn } from "./sse.ts";
import { waitFor } from "./test-server.ts";

/**
 * Two server processes on one database: a turn starts on the first (a slow offline model), and
 * the same request sent to the second, once the first has streamed a few deltas, follows that
 * generation instead of starting its own. `database` is the database file the two share (read
 * directly to see the deltas land), whichever way the processes reach it, or a function counting
 * chat_events rows that match a condition in a database that is not a file (Postgres).
 */
export async function expectRetryFollowsOtherProcess(
  start: (env: Record<string, string>) => Promise<ChildServer>,
  database: string | ((where: string) => Promise<number>),
): Promise<void> {
  const countRows = async (where: string) =>
    typeof database === "string" ? countFileRows(database, where) : database(where);
  const first = await start({ CHATLOG_OFFLINE_DELAY_MS: "25", CHATLOG_OFFLINE_REPLY_WORDS: "60" });
  const second = await start({ CHATLOG_FOLLOW_POLL_MS: "20" });
  const firstTurn = runTurn(first.url, "c1", { content: "shared", requestId: "r1" });
  await waitFor(async () => ((await countRows("type = 'meta'")) >= 3 ? true : undefined));
  const followed = await runTurn(second.url, "c1", { content: "shared", requestId: "r1" });
  const original = await firstTurn;

  expect(followed.start).toMatchObject({ replay: true, source: "other-process" });
  expect(followed.text).toBe(original.text);
  expect(followed.done).toMatchObject({ content: original.text, eventId: original.done.eventId });
  expect(await countRows("type = 'assistant_message'")).toBe(1);
}
