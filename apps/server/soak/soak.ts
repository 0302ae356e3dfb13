/**
 * Soak test (pnpm soak; not in CI): 4 server processes on one database, 200 conversations
 * sending turns for SOAK_SECONDS (default 120), with duplicate sends to two servers at once,
 * retries after every failure, and a SIGKILL then restart of a random server every
 * SOAK_KILL_EVERY_MS (default 3000). Afterwards, with every server stopped, it checks from the
 * database itself: every request answered exactly once (one user message, one reply), every
 * `done` a client received equal to the stored reply, no orphan deltas, no turn row written after
 * its reply (recorded by a trigger, so start-up clean-up cannot hide one), no claims left, and
 * `PRAGMA integrity_check` ok. Exits 1 on any violation. SOAK_DRIVER=libsql for the libSQL driver;
 * SOAK_DRIVER=postgres for Postgres (a throwaway cluster the soak starts, or the server
 * CHATLOG_TEST_POSTGRES_URL names, with a new database on it).
 */
import { type ChildServer, spawnServer } from "../test/helpers/child-server.ts";
import { postTurn, readSse } from "../test/helpers/sse.ts";
import { openSoakDatabase } from "./soak-database.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const KILL_EVERY_MS = Number(process.env.SOAK_KILL_EVERY_MS ?? 3000);
const SERVERS = 4;
const CONVERSATIONS = 200;
const DUPLICATE_SHARE = 0.25;

const database = await openSoakDatabase(process.env.SOAK_DRIVER);
const env: Record<string, string> = {
  // The servers run the workspace's TypeScript sources, as the tests' children do (not the builds).
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--conditions=@chatlog/source"].filter(Boolean).join(" "),
  ...database.env,
  CHATLOG_OFFLINE_DELAY_MS: "4",
  CHATLOG_OFFLINE_REPLY_WORDS: "40",
  CHATLOG_CLAIM_STALE_MS: "2000",
  CHATLOG_FOLLOW_POLL_MS: "50",
  LOG_LEVEL: "error",
};

const slots: (ChildServer | null)[] = [];
const figures = {
  sends: 0,
  duplicateSends: 0,
  retries: 0,
  failedAttempts: 0,
  kills: 0,
  restarts: 0,
  failedStarts: 0,
  turns: 0,
};
/** Every done.content a client received, per request id. */
const received = new Map<string, { conversationId: string; contents: string[] }>();
let stopping = false;
const restarts: Promise<void>[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

function liveServers(): ChildServer[] {
  return slots.filter((s): s is ChildServer => s !== null);
}

/** One attempt: the done content, or null if the attempt failed (server killed, refused, stopped). */
async function attempt(server: ChildServer, conversationId: string, requestId: string, content: string) {
  figures.sends++;
  try {
    const response = await postTurn(server.url, conversationId, { content, requestId });
    if (response.status !== 200) {
      const body = await response.text();
      if (response.status >= 500) return null;
      throw new Error(`unexpected ${response.status} for ${requestId}: ${body}`);
    }
    for await (const event of readSse(response)) {
      if (event.event === "done") return String(event.data.content);
      if (event.event === "error") return null;
    }
    return null;
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("unexpected")) throw error;
    return null; // connection refused or reset: the server was killed
  }
}

/** Sends one turn until some attempt gets its done; duplicates go to a second server at once. */
async function turn(conversationId: string, requestId: string, content: string): Promise<void> {
  const record = { conversationId, contents: [] as string[] };
  received.set(requestId, record);
  const sendOnce = async (first: boolean) => {
    for (let tries = 0; ; tries++) {
      const servers = liveServers();
      if (servers.length === 0) {
        await sleep(100);
        continue;
      }
      if (!first || tries > 0) figures.retries++;
      const done = await attempt(pick(servers), conversationId, requestId, content);
      if (done !== null) {
        record.contents.push(done);
        return;
      }
      figures.failedAttempts++;
      await sleep(50 + Math.random() * 200);
    }
  };
  const duplicate = Math.random() < DUPLICATE_SHARE;
  if (duplicate) figures.duplicateSends++;
  await Promise.all(duplicate ? [sendOnce(true), sendOnce(true)] : [sendOnce(true)]);
  figures.turns++;
}

async function conversation(index: number): Promise<void> {
  const conversationId = `soak-c${index}`;
  for (let k = 0; !stopping; k++) {
    await turn(conversationId, `c${index}-r${k}`, `message ${k} of conversation ${index}`);
    await sleep(Math.random() * 300);
  }
}

/** A new server process; on a loaded machine a start can be slow, so it is retried. */
async function startServer(): Promise<ChildServer | null> {
  for (let tries = 0; tries < 3; tries++) {
    try {
      return await spawnServer(env, 60_000);
    } catch (error) {
      figures.failedStarts++;
      console.log(`soak: a server failed to start: ${(error as Error).message.slice(0, 200)}`);
    }
  }
  return null;
}

async function chaos(): Promise<void> {
  while (!stopping) {
    await sleep(KILL_EVERY_MS);
    if (stopping) return;
    const index = Math.floor(Math.random() * SERVERS);
    const victim = slots[index];
    if (!victim) continue;
    slots[index] = null;
    victim.child.kill("SIGKILL");
    await victim.exited;
    figures.kills++;
    // Restarted in the background, so the next kill comes on time even when starts are slow.
    restarts.push(
      startServer().then((server) => {
        slots[index] = server;
        if (server) figures.restarts++;
      }),
    );
  }
}

/** Reads `extra` as SQLite (text) and node-postgres (parsed json) return it. */
const extraOf = (value: unknown): Record<string, unknown> =>
  typeof value === "string" ? JSON.parse(value) : (value as Record<string, unknown>);

async function verify(): Promise<string[]> {
  const problems: string[] = [];
  const integrity = await database.integrity();
  if (integrity !== null && integrity !== "ok") problems.push(`integrity_check: ${integrity}`);
  let interrupted = 0;
  for (const [requestId, { conversationId, contents }] of received) {
    const [users] = await database.all(
      "SELECT COUNT(*) AS n FROM chat_events WHERE conversation_id = ? AND type = 'user_message' AND request_id = ?",
      conversationId,
      requestId,
    );
    const u = Number(users?.n);
    if (u !== 1) problems.push(`${requestId}: ${u} user messages`);
    const r = await database.all(
      "SELECT content, extra FROM chat_events WHERE conversation_id = ? AND type = 'assistant_message' AND user_request_id = ?",
      conversationId,
      requestId,
    );
    if (r.length !== 1) {
      problems.push(`${requestId}: ${r.length} replies`);
      continue;
    }
    if (extraOf(r[0]!.extra).interrupted === true) interrupted++;
    for (const content of contents) {
      if (content !== r[0]!.content) problems.push(`${requestId}: a done differs from the stored reply`);
    }
  }
  const count = async (sql: string) => Number((await database.all(sql))[0]?.n);
  const orphans = await count("SELECT COUNT(*) AS n FROM chat_events WHERE type = 'meta'");
  if (orphans !== 0) problems.push(`${orphans} orphan delta rows`);
  const late = await count("SELECT COUNT(*) AS n FROM soak_late_writes");
  if (late !== 0) problems.push(`${late} turn rows written after their reply`);
  const claims = await count("SELECT COUNT(*) AS n FROM chat_turn_claims");
  if (claims !== 0) problems.push(`${claims} claims left`);
  const strays = await count(
    `SELECT COUNT(*) AS n FROM chat_events WHERE type = 'assistant_message' AND user_request_id NOT IN
       (SELECT request_id FROM chat_events u WHERE u.type = 'user_message' AND u.request_id IS NOT NULL)`,
  );
  if (strays !== 0) problems.push(`${strays} replies to no user message`);
  const events = await count("SELECT COUNT(*) AS n FROM chat_events");
  console.log(
    JSON.stringify({
      requests: received.size,
      donesReceived: [...received.values()].reduce((n, r) => n + r.contents.length, 0),
      ...figures,
      interruptedReplies: interrupted,
      events,
      orphanDeltas: orphans,
      lateWrites: late,
      claimsLeft: claims,
      integrity: integrity ?? "not checked (Postgres)",
    }),
  );
  return problems;
}

async function main(): Promise<void> {
  const started = Date.now();
  for (let i = 0; i < SERVERS; i++) {
    slots.push(await spawnServer(env, 60_000));
    if (i === 0) await database.recordLateWrites(); // the first server has created the schema
  }
  console.log(`soak: ${SERVERS} servers on ${database.where}, ${CONVERSATIONS} conversations, ${SECONDS} s`);
  const chaosDone = chaos().catch((error: unknown) => {
    console.log("soak: chaos stopped:", error);
  });
  const clients = Array.from({ length: CONVERSATIONS }, (_, i) => conversation(i));
  await sleep(SECONDS * 1000);
  stopping = true;
  await chaosDone;
  await Promise.all(restarts);
  await Promise.all(clients); // each finishes its turn in progress (retried until answered)
  for (const server of liveServers()) server.child.kill("SIGTERM");
  const exits = await Promise.all(liveServers().map((s) => s.exited));
  if (exits.some((e) => e.code !== 0)) console.log("a server did not exit cleanly:", JSON.stringify(exits));
  console.log(`soak: ran ${Math.round((Date.now() - started) / 1000)} s`);
  const problems = await verify();
  if (problems.length > 0) {
    console.log(`FAILED: ${problems.length} problems\n${problems.slice(0, 30).join("\n")}`);
    for (const row of await database.all("SELECT * FROM soak_late_writes LIMIT 10"))
      console.log("late write:", JSON.stringify(row));
    for (const row of await database.all(
      `SELECT c.*, (SELECT COUNT(*) FROM chat_events r WHERE r.conversation_id = c.conversation_id
         AND r.user_request_id = c.user_request_id AND r.type = 'assistant_message') AS replies
       FROM chat_turn_claims c LIMIT 10`,
    ))
      console.log("claim left:", JSON.stringify(row));
    // Kept for a look: the database as the failure left it (a throwaway cluster goes with the process).
    console.log(`the database is kept at ${database.where}`);
    await database.dispose(true);
    process.exitCode = 1;
    return;
  }
  console.log("OK: every request answered exactly once, every done equal to the stored reply");
  await database.dispose(false);
}

main().catch((error: unknown) => {
  console.error(error);
  for (const server of liveServers()) server.child.kill("SIGKILL");
  process.exit(1);
});
