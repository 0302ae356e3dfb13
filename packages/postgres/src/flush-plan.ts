import type { Job, Statement } from "@chatlog/engine";
import { SQL } from "./statements.ts";

/**
 * What the executor runs at once: jobs (by their index in the flush) that share a batch
 * statement, as that one statement, or one job alone.
 */
export type Unit = { readonly batch: Statement; readonly jobs: readonly number[] } | { readonly job: number };

/**
 * Statements that read and write only the rows of their :conversation_id (its events, its
 * summary row, its turn claims). A job made of these alone cannot change what a job of another
 * conversation does, so the two may run side by side. Anything else (clear, import, saved
 * sessions and their trimming, heartbeats, deleting a conversation with its saved copies) is
 * ordered against every other write.
 */
const CONVERSATION_LOCAL: ReadonlySet<Statement> = new Set([
  SQL.append,
  SQL.appendUnanswered,
  SQL.appendHeld,
  SQL.heldClaim,
  SQL.findDuplicate,
  SQL.byRequestId,
  SQL.replyTo,
  SQL.replyIdTo,
  SQL.lastSeq,
  SQL.conversationSummary,
  SQL.claimConversation,
  SQL.foreignConversation,
  SQL.turnEvents,
  SQL.deleteDeltas,
  SQL.deleteDeltasHeld,
  SQL.claimTurn,
  SQL.turnClaim,
  SQL.conversationClaims,
  SQL.releaseClaim,
  SQL.setConversationTitle,
]);

/** The one conversation a job touches, or null when it may touch others (or all). */
export function conversationOf(job: Job): string | null {
  let conversation: string | null = null;
  for (const { statement, args } of job) {
    const id = args.conversation_id;
    if (!CONVERSATION_LOCAL.has(statement) || typeof id !== "string") return null;
    if (conversation !== null && id !== conversation) return null;
    conversation = id;
  }
  return conversation;
}

function batchOf(job: Job): Statement | undefined {
  return job.length === 1 ? job[0]!.statement.batch?.statement : undefined;
}

/**
 * The order in which one flush of the write queue runs: a list of rounds, each round's units
 * side by side (separate connections), each round only once the one before has finished. That
 * keeps the guarantee SQLite's one transaction per flush gives: the jobs of one conversation
 * take effect in call order (so its seqs follow call order), whatever runs beside them.
 *
 * Jobs go into one lane per conversation. A round takes from each lane either its leading run of
 * jobs that share a batch statement (single appends), merged with the other lanes' runs into one
 * statement whose rows are numbered in call order, or its one next job. A job not confined to one
 * conversation is a round of its own, after everything submitted before it and before everything
 * after it.
 */
export function planFlush(jobs: readonly Job[]): Unit[][] {
  const rounds: Unit[][] = [];
  let lanes = new Map<string, number[]>();
  const drainLanes = () => {
    while (lanes.size > 0) rounds.push(nextRound(jobs, lanes));
    lanes = new Map();
  };
  jobs.forEach((job, index) => {
    const conversation = conversationOf(job);
    if (conversation === null) {
      drainLanes();
      rounds.push([{ job: index }]);
      return;
    }
    const lane = lanes.get(conversation);
    if (lane === undefined) lanes.set(conversation, [index]);
    else lane.push(index);
  });
  drainLanes();
  return rounds;
}

/** Takes one round's work off the front of every lane (emptied lanes are removed). */
function nextRound(jobs: readonly Job[], lanes: Map<string, number[]>): Unit[] {
  const alone: Unit[] = [];
  const batched = new Map<Statement, number[]>();
  for (const [conversation, lane] of lanes) {
    const batch = batchOf(jobs[lane[0]!]!);
    let taken = 1;
    if (batch !== undefined) {
      while (taken < lane.length && batchOf(jobs[lane[taken]!]!) === batch) taken++;
      batched.set(batch, [...(batched.get(batch) ?? []), ...lane.slice(0, taken)]);
    } else {
      alone.push({ job: lane[0]! });
    }
    if (taken === lane.length) lanes.delete(conversation);
    else lanes.set(conversation, lane.slice(taken));
  }
  const units: Unit[] = [];
  for (const [batch, members] of batched) {
    // One job needs no batch: alone, it keeps its own statement (and its rerun on a lost race).
    if (members.length === 1) units.push({ job: members[0]! });
    else units.push({ batch, jobs: members.sort((a, b) => a - b) });
  }
  return [...units, ...alone];
}
