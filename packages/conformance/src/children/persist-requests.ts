import { errorText, openRepository, readArgs, readyThenWaitForGo, report } from "./child-io.ts";

/**
 * Races handleUserMessagePersistence over a list of request ids (in waves, so the transactions
 * of several processes interleave) and reports what each call returned.
 */
const args = readArgs<{ conversationId: string; requestIds: string[]; wave: number; tag: string }>();
const repo = await openRepository(args);
await readyThenWaitForGo();

const results: Record<string, boolean> = {};
const errors: string[] = [];
for (let start = 0; start < args.requestIds.length; start += args.wave) {
  const ids = args.requestIds.slice(start, start + args.wave);
  const settled = await Promise.allSettled(
    ids.map((id) => repo.handleUserMessagePersistence(args.conversationId, `question ${id}`, id)),
  );
  settled.forEach((outcome, k) => {
    const id = ids[k] as string;
    if (outcome.status === "rejected") errors.push(`${id}: ${errorText(outcome.reason)}`);
    else results[id] = outcome.value;
  });
  // Yield to the event loop between waves so the other process gets the lock in between.
  await new Promise((resolve) => setImmediate(resolve));
}
await repo.close();
report({ tag: args.tag, results, errors });
if (errors.length > 0) process.exitCode = 1;
