import { openChatRepository } from "@chatlog/better-sqlite3";
import { ASSISTANT_DELTA_KIND, toolCallKey, toolResultKey } from "@chatlog/core";
import { afterEach, describe, expect, it } from "vitest";
// The ai-sdk package's scripted LanguageModelV4 (the one test double: the model), shared rather
// than written twice.
import { scriptedModel } from "../../../packages/ai-sdk/test/scripted-model.ts";
import { send, storedMessages, userMessage } from "./helpers/ai-chat.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

describe.each(DRIVERS)("text streamed before a tool call, on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("loads back where the stream put it: before the call, in the call's step", async () => {
    const model = scriptedModel([
      { text: "Let me look at the clock. ", toolCalls: [{ id: "call-1", name: "get_time", input: {} }] },
      { text: "Done: that was the time. ", toolCalls: [{ id: "call-2", name: "get_time", input: {} }] },
      { text: "It is the time the tool said." },
    ]);
    server = await startTestServer(driver, {}, {}, { languageModel: model });

    const streamed = await send(server.url, "c1", userMessage("u1", "What time is it?"));
    expect(streamed.message?.parts.map((p) => p.type)).toEqual([
      "step-start",
      "text",
      "tool-get_time",
      "step-start",
      "text",
      "tool-get_time",
      "step-start",
      "text",
    ]);

    // What a reload shows (the reply compacted, its deltas gone) is what the stream built.
    const [user, reply] = await storedMessages(server.url, "c1");
    expect(user?.id).toBe("u1");
    expect(reply).toEqual(streamed.message);
  });

  it("a turn its generator left behind is finalized with its text still before the call", async () => {
    const turn = { user_request_id: "u1", message_id: "m1" };
    server = await startTestServer(
      driver,
      {},
      {},
      {
        // What a generator killed between its tool result and its next text left on disk.
        prepare: async (file) => {
          const repo = await openChatRepository({ path: file });
          await repo.handleUserMessagePersistence("c1", "What time is it?", "u1");
          const delta = { type: "meta", role: "assistant", conversationId: "c1" } as const;
          await repo.addEvent({
            ...delta,
            content: "Let me ",
            extra: { kind: ASSISTANT_DELTA_KIND, ...turn },
          });
          await repo.addEvent({
            ...delta,
            content: "check. ",
            extra: { kind: ASSISTANT_DELTA_KIND, ...turn },
          });
          await repo.addEvent({
            conversationId: "c1",
            type: "tool_call",
            role: "assistant",
            toolCalls: [{ id: "call-1", name: "get_time", arguments: {} }],
            extra: { ...turn, request_id: toolCallKey("u1", "call-1") },
          });
          await repo.addEvent({
            conversationId: "c1",
            type: "tool_result",
            role: "tool",
            content: '{"utc":"2026-01-01T00:00:00.000Z"}',
            extra: {
              ...turn,
              tool_call_id: "call-1",
              tool_name: "get_time",
              request_id: toolResultKey("u1", "call-1"),
            },
          });
          await repo.addEvent({
            ...delta,
            content: "It is midnight",
            extra: { kind: ASSISTANT_DELTA_KIND, ...turn },
          });
          await repo.close();
        },
      },
    );

    const [, reply] = await storedMessages(server.url, "c1");
    expect(reply?.metadata).toEqual({ interrupted: true });
    expect(reply?.parts).toEqual([
      { type: "step-start" },
      { type: "text", text: "Let me check. ", state: "done" },
      {
        type: "tool-get_time",
        toolCallId: "call-1",
        state: "output-available",
        input: {},
        output: { utc: "2026-01-01T00:00:00.000Z" },
      },
      { type: "step-start" },
      { type: "text", text: "It is midnight", state: "done" },
    ]);
  });
});
