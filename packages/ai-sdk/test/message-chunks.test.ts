import { readUIMessageStream, type UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { messageChunks, streamOfChunks } from "../src/message-chunks.ts";
import { assistantParts } from "./fixtures.ts";

async function rebuilt(message: UIMessage): Promise<UIMessage | undefined> {
  let last: UIMessage | undefined;
  for await (const state of readUIMessageStream({ stream: streamOfChunks(messageChunks(message)) }))
    last = state;
  return last;
}

/**
 * What the stream protocol cannot carry, so a replay cannot rebuild it (the stored message, which
 * loadUIMessages returns, still has it): an approval's answer (the client's own), a file's name,
 * a text part without a state, a reasoning part without an id, input still streaming, two step
 * boundaries in a row.
 */
const NOT_IN_THE_PROTOCOL = new Set([
  "tool approval-responded",
  "tool output-available after approval",
  "tool output-denied",
  "dynamic-tool output-denied",
  "file",
  "text with JSON-looking content",
  "reasoning",
  "tool input-streaming",
  "step-start",
]);

describe("replaying a stored message as UI chunks", () => {
  for (const [name, parts] of Object.entries(assistantParts)) {
    if (NOT_IN_THE_PROTOCOL.has(name)) continue;
    it(name, async () => {
      const message: UIMessage = { id: "a-1", role: "assistant", parts, metadata: { m: 1 } };
      expect(await rebuilt(message)).toEqual(message);
    });
  }
});
