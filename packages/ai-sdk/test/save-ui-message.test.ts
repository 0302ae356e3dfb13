import { assistantReplyKey, ChatlogError } from "@chatlog/core";
import { convertToModelMessages, type UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { loadUIMessages, saveUIMessage } from "../src/index.ts";
import { drivers, useDatabase } from "./drivers.ts";
import { expectPairedToolCalls } from "./model-checks.ts";

const question: UIMessage = { id: "u-1", role: "user", parts: [{ type: "text", text: "Delete /tmp/x" }] };
const requested: UIMessage = {
  id: "a-1",
  role: "assistant",
  parts: [
    { type: "step-start" },
    { type: "text", text: "I need your approval.", state: "done" },
    {
      type: "tool-deleteFile",
      toolCallId: "call-1",
      state: "approval-requested",
      input: { path: "/tmp/x" },
      approval: { id: "ap-1" },
    },
  ],
};
const responded: UIMessage = {
  ...requested,
  parts: [
    ...requested.parts.slice(0, 2),
    {
      type: "tool-deleteFile",
      toolCallId: "call-1",
      state: "approval-responded",
      input: { path: "/tmp/x" },
      approval: { id: "ap-1", approved: true },
    },
  ],
};
const finished: UIMessage = {
  ...requested,
  metadata: { finishedAt: 3 },
  parts: [
    ...requested.parts.slice(0, 2),
    {
      type: "tool-deleteFile",
      toolCallId: "call-1",
      state: "output-available",
      input: { path: "/tmp/x" },
      output: { deleted: true },
      approval: { id: "ap-1", approved: true },
    },
    { type: "step-start" },
    { type: "text", text: "Deleted.", state: "done" },
  ],
};

type Raw = { all(sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]> };

/** `extra` as stored (JSON text on every dialect), parsed here so the query is the same on each. */
function extraOf(row: Record<string, unknown>): Record<string, unknown> {
  return typeof row.extra === "string" ? JSON.parse(row.extra) : (row.extra as Record<string, unknown>);
}

async function rowsOf(raw: Raw) {
  const rows = await raw.all("SELECT type, extra FROM chat_events ORDER BY seq");
  return rows.map((row) => ({ type: row.type, rev: extraOf(row).ui_rev ?? null }));
}

for (const driver of drivers) {
  describe(`saveUIMessage (${driver.name})`, () => {
    const open = useDatabase(driver);

    it("stores a message once however often, and however concurrently, it is saved", async () => {
      const { repo, raw } = await open();
      const results = await Promise.all([
        ...Array.from({ length: 5 }, () => saveUIMessage(repo, "c", question)),
        ...Array.from({ length: 5 }, () => saveUIMessage(repo, "c", finished)),
      ]);
      expect(results.filter((r) => r.added)).toHaveLength(2);
      expect(await rowsOf(raw)).toEqual([
        { type: "user_message", rev: 0 },
        { type: "assistant_message", rev: 0 },
        { type: "tool_result", rev: null },
      ]);
      expect((await loadUIMessages(repo, "c")).messages).toEqual([question, finished]);
    });

    it("two connections saving the same message at once store it once", async () => {
      const first = await open();
      const second = await driver.reopen(first.file!);
      try {
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => saveUIMessage((i % 2 ? second : first).repo, "c", finished)),
        );
        expect(results.filter((r) => r.added)).toHaveLength(1);
        expect(await rowsOf(first.raw)).toHaveLength(2);
      } finally {
        await second.dispose();
      }
    });

    it("a continuation (approval answered, then the output and more text) is appended to the same message", async () => {
      const { repo, raw } = await open();
      await saveUIMessage(repo, "c", question);
      expect(await saveUIMessage(repo, "c", requested)).toEqual({ added: true });
      expect(await saveUIMessage(repo, "c", responded)).toEqual({ added: true });
      expect((await loadUIMessages(repo, "c")).messages).toEqual([question, responded]);
      expect(await saveUIMessage(repo, "c", finished)).toEqual({ added: true });
      const { messages } = await loadUIMessages(repo, "c");
      expect(messages).toEqual([question, finished]);
      expectPairedToolCalls(await convertToModelMessages(messages));
      // Each save wrote only what changed: revisions 1 and 2 start at the tool part.
      const revisions = (
        await raw.all("SELECT extra FROM chat_events WHERE type = 'assistant_message' ORDER BY seq")
      ).map((row) => ({ rev: extraOf(row).ui_rev ?? null, from_index: extraOf(row).ui_from ?? null }));
      expect(revisions).toEqual([
        { rev: 0, from_index: 0 },
        { rev: 1, from_index: 2 },
        { rev: 2, from_index: 2 },
      ]);
      // The model sees the call once, with its result, and the text once.
      const llm = await repo.buildLlmConversation("c", "thanks", "sys");
      expect(llm.filter((m) => m.role === "tool")).toEqual([
        { role: "tool", tool_call_id: "call-1", content: '{"deleted":true}' },
      ]);
      expect(llm.map((m) => m.content).join(" ")).toContain("Deleted.");
    });

    it("an older copy of a stored message (a stale echo) never overwrites it", async () => {
      const { repo } = await open();
      await saveUIMessage(repo, "c", finished);
      expect(await saveUIMessage(repo, "c", requested)).toEqual({ added: false });
      expect(await saveUIMessage(repo, "c", responded)).toEqual({ added: false });
      const conflicting: UIMessage = { ...finished, parts: [{ type: "text", text: "something else" }] };
      expect(await saveUIMessage(repo, "c", conflicting)).toEqual({ added: false });
      expect((await loadUIMessages(repo, "c")).messages).toEqual([finished]);
    });

    it("rejects bad input with a typed error and writes nothing", async () => {
      const { repo } = await open();
      const bad: unknown[] = [
        { id: "x", role: "user", parts: [] },
        { id: "x", role: "robot", parts: [{ type: "text", text: "hi" }] },
        { id: "x", role: "assistant", parts: [{ type: "tool-x", state: "output-available" }] },
        { id: "", role: "assistant", parts: [] },
        { id: "x".repeat(600), role: "assistant", parts: [] },
        { role: "assistant", parts: [] },
        null,
        "text",
      ];
      for (const message of bad) {
        const error = await saveUIMessage(repo, "c", message as UIMessage).catch((e: unknown) => e);
        expect(error, JSON.stringify(message)).toBeInstanceOf(ChatlogError);
        expect((error as ChatlogError).code).toBe("INVALID_ARGUMENT");
      }
      // A user message id in chatlog's own key space would take over another turn's reply.
      const hostile = {
        id: assistantReplyKey("u-1"),
        role: "user",
        parts: [{ type: "text", text: "x" }],
      } as UIMessage;
      await expect(saveUIMessage(repo, "c", hostile)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      const unserializable = { ...finished, metadata: { when: new Date(0) } };
      await expect(saveUIMessage(repo, "c", unserializable)).rejects.toMatchObject({
        code: "NOT_SERIALIZABLE",
      });
      await expect(saveUIMessage(repo, "", question)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      // A write after them has gone through the same queue: anything they had queued is stored by now.
      await saveUIMessage(repo, "other", question);
      expect(await repo.getEvents("c")).toEqual([]);
    });
  });
}
