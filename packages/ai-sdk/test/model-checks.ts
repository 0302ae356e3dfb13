import type { ModelMessage, validateUIMessages } from "ai";
import { expect } from "vitest";

/**
 * Every tool result the model is shown follows its call, once; with `complete` (every tool part
 * of the conversation finished), every call also has its result.
 */
export function expectPairedToolCalls(model: ModelMessage[], options: { complete?: boolean } = {}): void {
  const calls: string[] = [];
  const results: string[] = [];
  for (const message of model) {
    if (typeof message.content === "string") continue;
    for (const part of message.content) {
      if (part.type === "tool-call") calls.push(part.toolCallId);
      if (part.type === "tool-result") results.push(part.toolCallId);
    }
  }
  expect(new Set(results).size).toBe(results.length);
  for (const id of results) expect(calls).toContain(id);
  if (options.complete) expect([...results].sort()).toEqual([...calls].sort());
}

/** validateUIMessages types `tools` loosely enough that concrete tools need a cast. */
export type ValidationTools = NonNullable<Parameters<typeof validateUIMessages>[0]["tools"]>;
