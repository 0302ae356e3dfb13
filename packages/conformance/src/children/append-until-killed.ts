import { randomUUID } from "node:crypto";
import { openRepository, readArgs, readyThenWaitForGo } from "./child-io.ts";

/**
 * Keeps `inFlight` appends pending at every moment, forever, and prints each event's id as soon
 * as its promise resolves. The parent SIGKILLs it mid-stream: every id printed here was
 * acknowledged as stored, so it must be in the database afterwards.
 */
const args = readArgs<{ conversationId: string; inFlight: number }>();
const repo = await openRepository(args);
await readyThenWaitForGo();

let n = 0;
async function appendForever(): Promise<never> {
  for (;;) {
    const id = randomUUID();
    const i = n++;
    await repo.addEvent({
      id,
      conversationId: args.conversationId,
      type: "assistant_message",
      role: "assistant",
      content: `streamed part ${i} `.repeat(8),
      extra: { index: i },
    });
    process.stdout.write(`${id}\n`);
  }
}

await Promise.all(Array.from({ length: args.inFlight }, appendForever));
