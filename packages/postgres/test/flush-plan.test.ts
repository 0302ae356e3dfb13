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

/** A plan as plain data: per stage, its batches' job indices and its lanes', or the job run alone. */
function shape(jobs: Job[]) {
  return planFlush(jobs).map((stage) =>
    "alone" in stage ? stage.alone : { batches: stage.batches.map((b) => b.jobs), lanes: stage.lanes },
  );
}

describe("planFlush", () => {
  it("runs every conversation's single appends as one batch, numbered in call order", () => {
    expect(shape([append("a"), append("b"), append("a"), append("c")])).toEqual([
      { batches: [[0, 1, 2, 3]], lanes: [] },
    ]);
  });

  it("keeps a conversation with other jobs in a lane of its own, in call order", () => {
    expect(shape([append("a"), compact("b"), append("c"), append("b"), compact("a")])).toEqual([
      { batches: [], lanes: [[0, 4], [1, 3], [2]] },
    ]);
  });

  it("runs a job that is not confined to one conversation alone, between what came before and after", () => {
    expect(shape([append("a"), append("b"), clear, append("a")])).toEqual([
      { batches: [[0, 1]], lanes: [] },
      2,
      { batches: [], lanes: [[3]] },
    ]);
  });

  it("treats a job naming two conversations as one that may touch any", () => {
    const both: Job = [...append("a"), ...append("b")];
    expect(shape([append("a"), both, append("b")])).toEqual([
      { batches: [], lanes: [[0]] },
      1,
      { batches: [], lanes: [[2]] },
    ]);
  });
});
