import { performance } from "node:perf_hooks";
import { openChatRepository } from "@chatlog/postgres";
import { PostgresStore } from "@mastra/pg";
import type { LineResult } from "../report.ts";
import { judge } from "../report.ts";
import { benchPool } from "./bench-pool.ts";
import { StatementCounter } from "./statement-counter.ts";

const THREADS = 50;
const POOL = 8;

export interface MastraResult {
  lines: LineResult[];
  notes: string[];
}

/**
 * Mastra's Postgres store (`@mastra/pg`, its memory domain) and chatlog on the same workload, on
 * the same cluster, each on its own database: THREADS threads, `perThread` messages each, every
 * thread's writer awaiting each single-message save (THREADS writers at once, as a server with
 * THREADS chats streaming), then every thread read back whole, one after another. Each gets a
 * pg.Pool of POOL connections (chatlog through `openChatRepository({ pool })`), whose statements
 * are counted to say where the time goes.
 */
export async function compareWithMastra(
  chatlogUrl: string,
  mastraUrl: string,
  perThread: number,
): Promise<MastraResult> {
  const pool = benchPool({ connectionString: mastraUrl, max: POOL });
  const counter = new StatementCounter(pool);
  const store = new PostgresStore({ id: "chatlog-bench", pool });
  const chatlogPool = benchPool({ connectionString: chatlogUrl, max: POOL });
  const chatlogCounter = new StatementCounter(chatlogPool);
  const repo = await openChatRepository({ pool: chatlogPool });
  try {
    await store.init();
    const memory = await store.getStore("memory");
    if (!memory) throw new Error("bench: @mastra/pg has no memory store");
    const now = new Date();
    for (let t = 0; t < THREADS; t++) {
      await memory.saveThread({
        thread: {
          id: `thread-${t}`,
          resourceId: "bench",
          title: `thread ${t}`,
          createdAt: now,
          updatedAt: now,
          metadata: {},
        },
      });
    }
    const saves = THREADS * perThread;
    const text = (t: number, i: number) => `message ${i} of thread ${t}: some words of a chat reply`;

    counter.reset();
    let started = performance.now();
    await everyThread(async (t) => {
      for (let i = 0; i < perThread; i++) {
        await memory.saveMessages({
          messages: [
            {
              id: `t${t}-m${i}`,
              threadId: `thread-${t}`,
              resourceId: "bench",
              role: i % 2 === 0 ? "user" : "assistant",
              createdAt: new Date(),
              content: { format: 2, parts: [{ type: "text", text: text(t, i) }] },
            },
          ],
        });
      }
    });
    const mastraSaves = saves / ((performance.now() - started) / 1000);
    const savePattern = counter.describe(saves);
    const statementsPerSave = counter.total() / saves;

    counter.reset();
    started = performance.now();
    for (let t = 0; t < THREADS; t++) {
      const { messages } = await memory.listMessages({ threadId: `thread-${t}`, perPage: false });
      if (messages.length !== perThread) throw new Error(`bench: mastra read ${messages.length} messages`);
    }
    const mastraReads = THREADS / ((performance.now() - started) / 1000);
    const readPattern = counter.describe(THREADS);

    chatlogCounter.reset();
    started = performance.now();
    await everyThread(async (t) => {
      for (let i = 0; i < perThread; i++) {
        await repo.addEvent({
          conversationId: `mastra-${t}`,
          type: i % 2 === 0 ? "user_message" : "assistant_message",
          role: i % 2 === 0 ? "user" : "assistant",
          content: text(t, i),
        });
      }
    });
    const chatlogSaves = saves / ((performance.now() - started) / 1000);
    const chatlogSavePattern = chatlogCounter.describe(saves);
    chatlogCounter.reset();
    started = performance.now();
    for (let t = 0; t < THREADS; t++) {
      const events = await repo.getEvents(`mastra-${t}`);
      if (events.length !== perThread) throw new Error(`bench: chatlog read ${events.length} events`);
    }
    const chatlogReads = THREADS / ((performance.now() - started) / 1000);
    const chatlogReadPattern = chatlogCounter.describe(THREADS);

    return {
      lines: [
        judge({
          operation: `${THREADS} threads x ${perThread} msgs, awaited saves`,
          library: chatlogSaves,
          baseline: mastraSaves,
          baselineLabel: "@mastra/pg",
          unit: "msgs/s",
        }),
        judge({
          operation: `read back each ${perThread}-msg thread`,
          library: chatlogReads,
          baseline: mastraReads,
          baselineLabel: "@mastra/pg",
          unit: "reads/s",
        }),
      ],
      notes: [
        `@mastra/pg, per single-message save: ${statementsPerSave.toFixed(1)} statements (${savePattern}),`,
        "  each a round trip, on a pool connection held for the save's transaction.",
        `chatlog, per append: ${chatlogSavePattern} (appends flushed together go out as one statement).`,
        `reading a thread back: @mastra/pg ${readPattern}, then each message's content JSON parsed and`,
        `  reshaped in JavaScript; chatlog ${chatlogReadPattern}.`,
      ],
    };
  } finally {
    await repo.close();
    await chatlogPool.end();
    await store.close();
    await pool.end();
  }
}

function everyThread(work: (thread: number) => Promise<void>): Promise<void> {
  return Promise.all(Array.from({ length: THREADS }, (_, t) => work(t))).then(() => undefined);
}
