import { describe, expect, it } from "vitest";
import { ChatlogError } from "../src/errors.ts";
import { validateEvent } from "../src/validate.ts";

function codeOf(input: unknown): string | undefined {
  try {
    validateEvent(input);
  } catch (error) {
    if (error instanceof ChatlogError) return error.code;
    throw error;
  }
  return undefined;
}

describe("validateEvent", () => {
  it("fills defaults: a v7 id, now, empty extra", () => {
    const before = Date.now();
    const event = validateEvent({ conversationId: "c", type: "user_message", content: "hi" });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(event.extra).toEqual({});
    expect(event.raw).toBeUndefined();
  });

  it.each([
    ["not an object", "x", "INVALID_EVENT"],
    ["no conversation", { type: "meta" }, "INVALID_EVENT"],
    ["empty conversation", { conversationId: "", type: "meta" }, "INVALID_EVENT"],
    ["unknown type", { conversationId: "c", type: "shout" }, "UNKNOWN_EVENT_TYPE"],
    ["unknown field", { conversationId: "c", type: "meta", requestId: "r" }, "INVALID_EVENT"],
    ["bad role", { conversationId: "c", type: "meta", role: "bot" }, "INVALID_EVENT"],
    ["bad parts", { conversationId: "c", type: "meta", content: [{ text: "x" }] }, "INVALID_EVENT"],
    [
      "text part without text",
      { conversationId: "c", type: "meta", content: [{ type: "text" }] },
      "INVALID_EVENT",
    ],
    ["function in extra", { conversationId: "c", type: "meta", extra: { f: () => 1 } }, "NOT_SERIALIZABLE"],
    ["NaN in extra", { conversationId: "c", type: "meta", extra: { n: Number.NaN } }, "NOT_SERIALIZABLE"],
    ["Date in raw", { conversationId: "c", type: "meta", raw: { d: new Date() } }, "NOT_SERIALIZABLE"],
    ["bigint in extra", { conversationId: "c", type: "meta", extra: { b: 1n } }, "NOT_SERIALIZABLE"],
    ["numeric request id", { conversationId: "c", type: "meta", extra: { request_id: 7 } }, "INVALID_EVENT"],
    ["negative tokens", { conversationId: "c", type: "meta", tokenCount: -1 }, "INVALID_EVENT"],
    ["invalid date", { conversationId: "c", type: "meta", createdAt: new Date("nope") }, "INVALID_EVENT"],
    [
      "tool call without id",
      { conversationId: "c", type: "tool_call", toolCalls: [{ name: "f" }] },
      "INVALID_EVENT",
    ],
  ])("rejects %s", (_name, input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it("rejects cyclic extra without overflowing the stack", () => {
    const extra: Record<string, unknown> = {};
    extra.self = extra;
    expect(codeOf({ conversationId: "c", type: "meta", extra })).toBe("NOT_SERIALIZABLE");
  });

  it("accepts a stored event passed back in (seq is ignored)", () => {
    const event = validateEvent({ conversationId: "c", type: "meta", seq: 9, raw: 0 });
    expect(event.raw).toBe(0);
  });
});

describe("uuidv7", () => {
  it("is a version 7 id whose prefix orders by time, unique across many calls", async () => {
    const { uuidv7 } = await import("../src/uuid.ts");
    const ids = Array.from({ length: 5000 }, (_, i) => uuidv7(1_700_000_000_000 + i));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });
});
