import { openRepository, readArgs, report } from "./child-io.ts";

/**
 * Opens a repository whose background retention timer is on, does some work, optionally closes
 * it, and then simply returns: the parent checks that the process ends by itself (no
 * process.exit here), i.e. that an open or closed repository does not keep Node alive. `bulk`
 * appends go to a conversation of their own first: enough writes start a driver's background
 * work (better-sqlite3's checkpoint worker), which must not keep Node alive either.
 */
const args = readArgs<{ conversationId: string; close: boolean; bulk: number }>();
const repo = await openRepository(args, { retention: { cleanupIntervalMinutes: 1, maxAgeHours: 1 } });

for (let i = 0; i < args.bulk; i++) {
  await repo.addEvent({
    conversationId: `${args.conversationId}-bulk`,
    type: "system_update",
    content: `${i}`,
  });
}
await repo.addEvent({
  conversationId: args.conversationId,
  type: "user_message",
  role: "user",
  content: "hi",
});
await repo.persistAssistantMessage(args.conversationId, "req-1", "hello", "test-model");
const events = await repo.getEvents(args.conversationId);
const retention = await repo.runRetention();
if (args.close) await repo.close();
report({ done: true, events: events.length, deletedByAge: retention.deletedByAge, closed: args.close });
