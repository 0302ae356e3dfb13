import { afterEach, describe, expect, it } from "vitest";
import { toModelMessages } from "../src/models/to-model-messages.ts";
import { evaluateExpression } from "../src/tools/calculator.ts";
import { DRIVERS } from "./helpers/drivers.ts";
import { countRows, rawQuery } from "./helpers/raw-db.ts";
import { runTurn } from "./helpers/sse.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

describe.each(DRIVERS)("tool calls on $name", (driver) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it("stores the call and its result, streams them, and answers from the result", async () => {
    server = await startTestServer(driver);
    const turn = await runTurn(server.url, "c1", {
      content: "please calculate 12 * (3 + 4)",
      requestId: "r1",
    });

    const kinds = turn.events.map((e) => e.event);
    expect(kinds.slice(0, 3)).toEqual(["start", "tool_call", "tool_result"]);
    const call = turn.events[1]?.data;
    expect(call).toMatchObject({ name: "calculator", arguments: { expression: "12 * (3 + 4)" } });
    expect(turn.events[2]?.data).toEqual({
      toolCallId: call.id,
      name: "calculator",
      result: { expression: "12 * (3 + 4)", result: 84 },
    });
    expect(turn.text).toBe("12 * (3 + 4) = 84.");
    expect(server.model?.calls).toBe(2); // the call step and the answer step

    const rows = rawQuery(
      server.file,
      "SELECT type, role, content, tool_calls, extra FROM chat_events ORDER BY seq",
    );
    expect(rows.map((r) => r.type)).toEqual([
      "user_message",
      "tool_call",
      "tool_result",
      "assistant_message",
    ]);
    const [, callRow, resultRow, replyRow] = rows;
    expect(callRow?.role).toBe("assistant");
    expect(JSON.parse(String(callRow?.tool_calls))).toEqual([
      { id: call.id, name: "calculator", arguments: { expression: "12 * (3 + 4)" } },
    ]);
    expect(JSON.parse(String(callRow?.extra)).user_request_id).toBe("r1");
    expect(resultRow?.role).toBe("tool");
    expect(JSON.parse(String(resultRow?.content))).toEqual({ expression: "12 * (3 + 4)", result: 84 });
    expect(JSON.parse(String(resultRow?.extra))).toMatchObject({
      tool_call_id: call.id,
      user_request_id: "r1",
    });
    expect(replyRow?.content).toBe("12 * (3 + 4) = 84.");
    expect(countRows(server.file, "type = 'meta'")).toBe(0);
  });

  it("sends the stored call and result to the model on the next turn, paired and in order", async () => {
    server = await startTestServer(driver);
    const first = await runTurn(server.url, "c1", { content: "what time is it?", requestId: "r1" });
    const call = first.events.find((e) => e.event === "tool_call")?.data;
    const result = first.events.find((e) => e.event === "tool_result")?.data;
    expect(call?.name).toBe("get_time");
    expect(first.text).toBe(`The current UTC time is ${result.result.utc}.`);

    await runTurn(server.url, "c1", { content: "thanks", requestId: "r2" });
    const prompt = server.model?.lastPrompt ?? [];
    expect(prompt.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant", "user"]);
    const assistant = prompt[2];
    const tool = prompt[3];
    expect(assistant?.role === "assistant" && assistant.content).toEqual([
      expect.objectContaining({ type: "tool-call", toolCallId: call.id, toolName: "get_time", input: {} }),
    ]);
    expect(tool?.role === "tool" && tool.content).toEqual([
      expect.objectContaining({
        type: "tool-result",
        toolCallId: call.id,
        toolName: "get_time",
        output: { type: "text", value: JSON.stringify(result.result) },
      }),
    ]);
    expect(prompt[4]?.content).toEqual([expect.objectContaining({ type: "text", text: first.text })]);
  });

  it("replays a tool turn with its tool events and no model call", async () => {
    server = await startTestServer(driver);
    const first = await runTurn(server.url, "c1", { content: "calculate 2 + 2", requestId: "r1" });
    const calls = server.model?.calls;
    const again = await runTurn(server.url, "c1", { content: "calculate 2 + 2", requestId: "r1" });
    expect(again.start.replay).toBe(true);
    expect(again.events.map((e) => e.event)).toEqual(["start", "tool_call", "tool_result", "delta", "done"]);
    expect(again.events[2]?.data).toEqual(first.events.find((e) => e.event === "tool_result")?.data);
    expect(again.text).toBe("2 + 2 = 4.");
    expect(server.model?.calls).toBe(calls);
  });
});

describe("toModelMessages", () => {
  it("turns tool_calls into tool-call parts and tool messages into named tool results", () => {
    const messages = toModelMessages([
      { role: "system", content: "sys" },
      { role: "user", content: "u1" },
      {
        role: "assistant",
        content: "let me check",
        tool_calls: [
          { id: "a", type: "function", function: { name: "calculator", arguments: '{"expression":"1+1"}' } },
          { id: "b", type: "function", function: { name: "get_time", arguments: "not json" } },
        ],
      },
      { role: "tool", tool_call_id: "a", content: "2" },
      { role: "tool", tool_call_id: "b", content: "noon" },
      { role: "tool", tool_call_id: "unknown", content: "orphan" },
      { role: "assistant", content: null },
    ]);
    expect(messages).toEqual([
      { role: "system", content: "sys" },
      { role: "user", content: "u1" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "let me check" },
          { type: "tool-call", toolCallId: "a", toolName: "calculator", input: { expression: "1+1" } },
          { type: "tool-call", toolCallId: "b", toolName: "get_time", input: "not json" },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "a",
            toolName: "calculator",
            output: { type: "text", value: "2" },
          },
          {
            type: "tool-result",
            toolCallId: "b",
            toolName: "get_time",
            output: { type: "text", value: "noon" },
          },
        ],
      },
      { role: "assistant", content: "" },
    ]);
  });
});

describe("calculator", () => {
  it("evaluates with precedence and parentheses and rejects anything else", () => {
    expect(evaluateExpression("12 * (3 + 4)")).toBe(84);
    expect(evaluateExpression("1 + 2 * 3 - 4 / 2")).toBe(5);
    expect(evaluateExpression("-(2 + 3)")).toBe(-5);
    expect(() => evaluateExpression("2 +")).toThrow();
    expect(() => evaluateExpression("process.exit()")).toThrow();
    expect(() => evaluateExpression("1 / 0")).toThrow(/finite/);
  });
});
