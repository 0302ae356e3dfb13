import type { Job, Statement } from "@chatlog/engine";
import { SQL } from "./statements.ts";

/**
 * Jobs (by their index in the flush) of several conversations, every one a single append with
 * the same batch statement: run as that one statement.
 */
export interface BatchUnit {
  readonly statement: Statement;
  readonly jobs: readonly number[];
}

/**
 * A part of a flush whose units run side by side, each on a connection of its own: a batch of the
 * conversations that have only single appends, and each other conversation's jobs (its lane, in
 * call order) as one transaction. Or a job not confined to one conversation, alone.
 */
export type Stage =
  | { readonly batches: readonly BatchUnit[]; readonly lanes: readonly (readonly number[])[] }
  | { readonly alone: number };

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

/** The batch statement that can run this job together with others, if it is a single append. */
export function batchOf(job: Job): Statement | undefined {
  return job.length === 1 ? job[0]!.statement.batch?.statement : undefined;
}

/**
 * How one flush of the write queue runs on Postgres, keeping what SQLite's one transaction per
 * flush gives each conversation: its jobs take effect in call order (its seqs follow call order)
 * and commit together, so no reader sees part of them, while each job still succeeds or fails on
 * its own. Different conversations run side by side.
 *
 * Stages run one after another. A job not confined to one conversation is a stage of its own,
 * after everything submitted before it and before everything after it; the jobs between two such
 * jobs form one stage, grouped into lanes by conversation.
 */
export function planFlush(jobs: readonly Job[]): Stage[] {
  const stages: Stage[] = [];
  let lanes = new Map<string, number[]>();
  const closeStage = () => {
    if (lanes.size > 0) stages.push(stageOf(jobs, [...lanes.values()]));
    lanes = new Map();
  };
  jobs.forEach((job, index) => {
    const conversation = conversationOf(job);
    if (conversation === null) {
      closeStage();
      stages.push({ alone: index });
      return;
    }
    const lane = lanes.get(conversation);
    if (lane === undefined) lanes.set(conversation, [index]);
    else lane.push(index);
  });
  closeStage();
  return stages;
}

/** Lanes of only single appends share one statement (per batch statement); the rest stay lanes. */
function stageOf(jobs: readonly Job[], lanes: number[][]): Stage {
  const batched = new Map<Statement, number[]>();
  const rest: number[][] = [];
  for (const lane of lanes) {
    const batch = batchOf(jobs[lane[0]!]!);
    if (batch === undefined || !lane.every((i) => batchOf(jobs[i]!) === batch)) rest.push(lane);
    else batched.set(batch, [...(batched.get(batch) ?? []), ...lane]);
  }
  const batches: BatchUnit[] = [];
  for (const [statement, members] of batched) {
    // One job needs no batch: alone, it keeps its own statement (and its rerun on a lost race).
    if (members.length === 1) rest.push(members);
    else batches.push({ statement, jobs: members.sort((a, b) => a - b) });
  }
  return { batches, lanes: rest };
}
