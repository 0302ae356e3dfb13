import { SQL } from "@chatlog/sqlite";
import { seedConversations } from "../fixtures.ts";
import { awaitEach, measureSideBySide, shortRuns, type Workload } from "../measure.ts";
import type { Section, SectionContext } from "../section.ts";

const PAGE = 50;
/** Every user owns this many conversations, in both databases. */
const PER_USER = 100;
const MANY = 100_000;

/**
 * Library and raw workloads listing one user's first page (as repo.forOwner(user)) on a database
 * of `conversations` conversations shared evenly by conversations / PER_USER users, whose
 * activity interleaves (conversation c is user c mod users'), so one user's rows are spread over
 * the whole activity order and only an index on the owner avoids reading everyone's.
 */
async function ownerPage(
  ctx: SectionContext,
  conversations: number,
  calls: number,
): Promise<[Workload, Workload]> {
  const users = conversations / PER_USER;
  const { repo, raw } = await ctx.openDatabases(`owners-${conversations}`);
  seedConversations(raw, conversations, 1);
  raw.db
    .prepare(
      "UPDATE chat_conversations SET owner_id = 'user-' || (CAST(substr(conversation_id, 6) AS INTEGER) % CAST(:users AS INTEGER))",
    )
    .run({ users });
  const user = `user-${Math.floor(users / 2)}`;
  const scoped = repo.forOwner(user);
  const check = await scoped.listConversations({ limit: PAGE });
  if (check.conversations.length !== PAGE || check.conversations.some((c) => c.ownerId !== user)) {
    throw new Error(`owner-list: expected a full page of ${user}'s conversations`);
  }
  const list = raw.stmt(SQL.listOwnerConversations);
  const args = { cursor_ms: Number.MAX_SAFE_INTEGER, cursor_id: "", limit: PAGE + 1, list_owner: user };
  return [
    { ops: calls, run: awaitEach(calls, () => scoped.listConversations({ limit: PAGE })) },
    {
      ops: calls,
      run: () => {
        for (let i = 0; i < calls; i++) list.all(args);
      },
    },
  ];
}

/**
 * One user's first page of conversations (50 of their 100) out of 100 conversations (one user)
 * and out of 100k conversations of 1,000 users: served from idx_conversations_owner, the second
 * should cost about what the first does. Raw runs SQL.listOwnerConversations.
 */
export const ownerListSection: Section = {
  id: "owner-list",
  async run(ctx) {
    const many = Math.max(PER_USER * 100, Math.round((MANY * ctx.scale) / PER_USER) * PER_USER);
    const calls = Math.max(20, Math.round(250 * ctx.scale));
    const few = await ownerPage(ctx, PER_USER, calls);
    const lots = await ownerPage(ctx, many, calls);
    const [libFew, rawFew, libMany, rawMany] = await measureSideBySide(
      [...few, ...lots],
      shortRuns(ctx.plan),
    );
    const manyLabel = `${Math.round(many / 1000)}k convs of ${many / PER_USER} users`;
    return [
      {
        operation: "forOwner listConversations page 50 @100 convs of 1 user",
        library: libFew!.opsPerSec,
        baseline: rawFew!.opsPerSec,
        unit: "ops/s",
      },
      {
        operation: `forOwner listConversations page 50 @${manyLabel}`,
        library: libMany!.opsPerSec,
        baseline: rawMany!.opsPerSec,
        unit: "ops/s",
      },
      {
        operation: `forOwner listConversations @${manyLabel} vs @100 (library)`,
        library: libMany!.opsPerSec,
        baseline: libFew!.opsPerSec,
        baselineLabel: "lib @100",
        unit: "ops/s",
        target: { min: 0.5, text: `${Math.round(many / 1000)}k within 2x of 100` },
      },
    ];
  },
};
