import { isChatlogError } from "@chatlog/core";
import { errorText, openRepository, readArgs, readyThenWaitForGo, report } from "./child-io.ts";

/**
 * Acting as one user, races the first write into each of a list of conversation ids (in waves,
 * so the transactions of several processes interleave) and reports which ids it won and which
 * were refused as another user's.
 */
const args = readArgs<{ conversationIds: string[]; wave: number; owner: string }>();
const root = await openRepository(args);
const repo = root.forOwner(args.owner);
await readyThenWaitForGo();

const won: string[] = [];
const refused: string[] = [];
const errors: string[] = [];
for (let start = 0; start < args.conversationIds.length; start += args.wave) {
  const ids = args.conversationIds.slice(start, start + args.wave);
  const settled = await Promise.allSettled(
    ids.map((conversationId) =>
      repo.addEvent({ conversationId, type: "user_message", role: "user", content: `from ${args.owner}` }),
    ),
  );
  settled.forEach((outcome, k) => {
    const id = ids[k] as string;
    if (outcome.status === "fulfilled") won.push(id);
    else if (isChatlogError(outcome.reason, "NOT_OWNER")) refused.push(id);
    else errors.push(`${id}: ${errorText(outcome.reason)}`);
  });
  await new Promise((resolve) => setImmediate(resolve));
}
await root.close();
report({ owner: args.owner, won, refused, errors });
if (errors.length > 0) process.exitCode = 1;
