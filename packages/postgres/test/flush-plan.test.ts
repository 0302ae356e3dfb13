import type { Job } from "@chatlog/engine";
import { describe, expect, it } from "vitest";
import { planFlush } from "../src/flush-plan.ts";
import { SQL } from "../src/statements.ts";

const append = (conversation: string): Job => [
  { statement: SQL.append, args: { conversation_id: conversation } },
];
const compact = (conversation: string): Job => [
  { statement: SQL.append, args: { conversation_id: conversation } },
  { statement: SQL.deleteDeltas, args: { conversation_id: conversation } },
];
const clear: Job = [{ statement: SQL.bumpCounter, args: { key: "clear" } }];

/** A plan as plain data: a batch as "batch:" and its job indices, a job alone as its index. */
function shape(jobs: Job[]) {
  return planFlush(jobs).map((round) =>
    round.map((unit) => ("job" in unit ? unit.job : `batch:${unit.jobs.join(",")}`)),
  );
}

describe("planFlush", () => {
  it("merges every conversation's single appends into one batch, in call order", () => {
    expect(shape([append("a"), append("b"), append("a"), append("c")])).toEqual([["batch:0,1,2,3"]]);
  });

  it("keeps a conversation's jobs in call order, its later appends after its longer job", () => {
    // a: append, compact, append; b: compact, append. Round 1: a's first append (batched alone,
    // so run as itself) beside b's compaction; round 2: a's compaction beside b's append; then a's.
    expect(shape([append("a"), compact("b"), compact("a"), append("b"), append("a")])).toEqual([
      [0, 1],
      [3, 2],
      [4],
    ]);
  });

  it("runs a job that is not confined to one conversation alone, between what came before and after", () => {
    expect(shape([append("a"), append("b"), clear, append("a")])).toEqual([["batch:0,1"], [2], [3]]);
  });

  it("treats a job naming two conversations as one that may touch any", () => {
    const both: Job = [...append("a"), ...append("b")];
    expect(shape([append("a"), both, append("b")])).toEqual([[0], [1], [2]]);
  });
});
