import { errorText, openRepository, readArgs, readyThenWaitForGo, report } from "./child-io.ts";

/**
 * Appends `count` events to one conversation, `wave` of them in flight at a time, and reports
 * the seq of each with any error. Several of these run at once against one file.
 */
const args = readArgs<{ conversationId: string; count: number; wave: number; tag: string }>();
const repo = await openRepository(args);
await readyThenWaitForGo();

const seqs: number[] = [];
const errors: string[] = [];
for (let start = 0; start < args.count; start += args.wave) {
  const wave = Array.from({ length: Math.min(args.wave, args.count - start) }, (_, k) => start + k);
  const results = await Promise.allSettled(
    wave.map((i) =>
      repo.addEvent({
        conversationId: args.conversationId,
        type: "user_message",
        role: "user",
        content: `${args.tag} message ${i}`,
        extra: { writer: args.tag, index: i },
      }),
    ),
  );
  for (const result of results) {
    if (result.status === "rejected") errors.push(errorText(result.reason));
    else if (!result.value.added) errors.push(`event ${result.value.event.id} reported as a duplicate`);
    else seqs.push(result.value.event.seq);
  }
}
await repo.close();
report({ tag: args.tag, seqs, errors });
if (errors.length > 0) process.exitCode = 1;
