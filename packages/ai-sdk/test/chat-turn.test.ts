import { ASSISTANT_DELTA_KIND, type ChatRepository } from "@chatlog/core";
import {
  convertToModelMessages,
  stepCountIs,
  streamText,
  tool,
  type UIMessage,
  type UIMessageChunk,
  validateUIMessages,
} from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type ChatTurnOptions,
  loadUIMessages,
  saveUIMessage,
  streamChatTurn,
  TurnClaims,
} from "../src/index.ts";
import { approveAll, clientMessage, user } from "./client-messages.ts";
import { drivers, useDatabase } from "./drivers.ts";
import { expectPairedToolCalls } from "./model-checks.ts";
import { type Step, scriptedModel } from "./scripted-model.ts";

const weather = tool({
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, temperature: 21 }),
});
const deleteFile = tool({
  inputSchema: z.object({ path: z.string() }),
  needsApproval: true,
  execute: async ({ path }) => ({ deleted: path }),
});
const tools = { weather, deleteFile };

/** An app's route: streamText over the stored conversation, with an abort signal it may use. */
function turnOptions(repo: ChatRepository, steps: Step[], message: UIMessage, signal?: AbortSignal) {
  const model = scriptedModel(steps);
  const options: ChatTurnOptions = {
    repo,
    conversationId: "c",
    message,
    model: "scripted",
    // As an app should: the turn's own signal (a stop, a takeover) ends the model call too.
    generate: async ({ messages, abortSignal }) => {
      const signals = [signal, abortSignal].filter((s): s is AbortSignal => s !== undefined);
      return streamText({
        model,
        messages: await convertToModelMessages(messages),
        tools,
        stopWhen: stepCountIs(5),
        ...(signals.length > 0 ? { abortSignal: AbortSignal.any(signals) } : {}),
      });
    },
  };
  return { model, options };
}

for (const driver of drivers) {
  describe(`streamChatTurn (${driver.name})`, () => {
    const open = useDatabase(driver);

    it("persists deltas while streaming, compacts at the end, and stores what the client built", async () => {
      const { repo } = await open();
      const question = user("u-1", "Weather in Paris?");
      const { options } = turnOptions(
        repo,
        [
          { toolCalls: [{ id: "call-1", name: "weather", input: { city: "Paris" } }] },
          { text: "It is 21 degrees in Paris today, enjoy the sun.", delayMs: 15 },
        ],
        question,
      );
      const turn = await streamChatTurn(options);
      expect(turn.source).toBe("model");
      const reader = turn.stream.getReader();
      const chunks: UIMessageChunk[] = [];
      let deltasSeen = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        if (value.type === "text-delta" && chunks.filter((c) => c.type === "text-delta").length === 6) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          const events = await repo.getEvents("c");
          deltasSeen = events.filter(
            (e) => e.type === "meta" && e.extra.kind === ASSISTANT_DELTA_KIND,
          ).length;
        }
      }
      expect(deltasSeen).toBeGreaterThan(0);
      const sent = await clientMessage(
        new ReadableStream({
          start(c) {
            for (const chunk of chunks) c.enqueue(chunk);
            c.close();
          },
        }),
      );
      const stored = await turn.stored;
      expect(stored?.message).toEqual(sent);
      expect(sent.id).toBe(turn.messageId);
      const { messages } = await loadUIMessages(repo, "c");
      expect(messages).toEqual([question, sent]);
      await validateUIMessages({ messages });
      const events = await repo.getEvents("c");
      expect(events.filter((e) => e.extra.kind === ASSISTANT_DELTA_KIND)).toEqual([]);
      expectPairedToolCalls(await convertToModelMessages(messages), { complete: true });
      const llm = await repo.buildLlmConversation("c", "and tomorrow?", "sys");
      expect(llm.find((m) => m.role === "tool")).toEqual({
        role: "tool",
        tool_call_id: "call-1",
        content: '{"city":"Paris","temperature":21}',
      });
    });

    it("a retry after completion replays the stored reply without calling the model", async () => {
      const { repo } = await open();
      const question = user("u-1", "Hi");
      const first = turnOptions(repo, [{ text: "Hello!" }], question);
      const turn = await streamChatTurn(first.options);
      const sent = await clientMessage(turn.stream);
      await turn.stored;
      const retry = turnOptions(repo, [{ text: "a second answer" }], question);
      const again = await streamChatTurn(retry.options);
      expect(again.source).toBe("stored");
      expect(await clientMessage(again.stream)).toEqual(sent);
      expect(retry.model.doStreamCalls).toHaveLength(0);
      expect((await loadUIMessages(repo, "c")).messages).toEqual([question, sent]);
    });

    it("concurrent identical requests make one model call; the others follow it", async () => {
      const { repo } = await open();
      const question = user("u-1", "Count");
      const attempts = Array.from({ length: 4 }, () =>
        turnOptions(repo, [{ text: "one two three four", delayMs: 10 }], question),
      );
      const turns = await Promise.all(attempts.map((a) => streamChatTurn(a.options)));
      const built = await Promise.all(turns.map((t) => clientMessage(t.stream)));
      expect(attempts.reduce((n, a) => n + a.model.doStreamCalls.length, 0)).toBe(1);
      for (const message of built) expect(message).toEqual(built[0]);
      expect(new Set(turns.map((t) => t.messageId)).size).toBe(1);
      expect((await loadUIMessages(repo, "c")).messages).toEqual([question, built[0]]);
    });

    it("a client that disconnects stops neither the generation nor its persistence", async () => {
      const { repo } = await open();
      const { options } = turnOptions(
        repo,
        [{ text: "a long answer that keeps going", delayMs: 5 }],
        user("u-1", "Go"),
      );
      const turn = await streamChatTurn(options);
      const reader = turn.stream.getReader();
      await reader.read();
      await reader.cancel();
      const stored = await turn.stored;
      expect(stored?.interrupted).toBe(false);
      expect(stored?.message.parts.at(-1)).toEqual({
        type: "text",
        text: "a long answer that keeps going",
        state: "done",
      });
    });

    it("an aborted stream is stored as interrupted, with what had arrived", async () => {
      const { repo } = await open();
      const abort = new AbortController();
      const { options } = turnOptions(
        repo,
        [{ text: "one two three four five six seven eight", delayMs: 10 }],
        user("u-1", "Go"),
        abort.signal,
      );
      const turn = await streamChatTurn(options);
      const reader = turn.stream.getReader();
      let deltas = 0;
      while (deltas < 3) if ((await reader.read()).value?.type === "text-delta") deltas++;
      abort.abort();
      const stored = await turn.stored;
      expect(stored?.interrupted).toBe(true);
      expect(stored?.event.extra.interrupted).toBe(true);
      const [, reply] = (await loadUIMessages(repo, "c")).messages;
      expect(reply?.parts.find((p) => p.type === "text")).toMatchObject({
        text: expect.stringMatching(/^one two three/),
      });
      expect((await repo.getEvents("c")).filter((e) => e.extra.kind === ASSISTANT_DELTA_KIND)).toEqual([]);
    });

    it("a generator that stops heartbeating (its process froze or died) is taken over by the retry: what it left is stored interrupted and replayed, and the old one writes nothing more", async () => {
      const { repo } = await open();
      const settings = { staleMs: 300, heartbeatMs: 50 };
      const first = new TurnClaims(repo, settings);
      const second = new TurnClaims(repo, settings);
      const question = user("u-1", "Go");
      // Long enough (16 s) that the takeover always comes first, however loaded the machine.
      const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(" ");
      const a = turnOptions(repo, [{ text: words, delayMs: 40 }], question);
      const turn = await streamChatTurn({ ...a.options, claims: first });
      const reader = turn.stream.getReader();
      let deltas = 0;
      while (deltas < 3) if ((await reader.read()).value?.type === "text-delta") deltas++;
      // The first process stops heartbeating; its generation, like a frozen process's, goes on.
      first.close();
      const b = turnOptions(repo, [{ text: "never asked" }], question);
      const retry = await streamChatTurn({ ...b.options, claims: second });
      expect(retry.source).toBe("stored");
      const replayed = await clientMessage(retry.stream);
      void reader.cancel();

      expect(b.model.doStreamCalls).toHaveLength(0);
      expect(replayed.id).toBe(turn.messageId);
      const text = replayed.parts.find((p) => p.type === "text");
      expect(text).toMatchObject({ text: expect.stringMatching(/^w0 w1 w2/) });
      // The first one's later writes were refused: it ends with the reply the retry stored.
      await turn.stored.then(
        (stored) => expect(stored?.event.extra.interrupted).toBe(true),
        (error: unknown) => expect(error).toMatchObject({ code: "TURN_TAKEN_OVER" }),
      );
      const rows = await repo.getEvents("c");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await repo.getEvents("c")).toEqual(rows);
      const replies = rows.filter((e) => e.type === "assistant_message");
      expect(replies).toHaveLength(1);
      expect(replies[0]?.extra.interrupted).toBe(true);
      expect(rows.filter((e) => e.extra.kind === ASSISTANT_DELTA_KIND)).toEqual([]);
      expect(await repo.listTurnClaims("c")).toEqual([]);
      expect((await loadUIMessages(repo, "c")).messages.map((m) => m.id)).toEqual(["u-1", turn.messageId]);
      second.close();
    });

    it("a generator that dies before storing anything is taken over by a retry, which generates the reply itself", async () => {
      const { repo } = await open();
      const settings = { staleMs: 300, heartbeatMs: 50 };
      const first = new TurnClaims(repo, settings);
      const second = new TurnClaims(repo, settings);
      const question = user("u-1", "Go");
      await saveUIMessage(repo, "c", question);
      // The first process took the turn and died at once: a claim, not one row of a reply.
      const taken = await first.take(
        { conversationId: "c", userRequestId: "u-1", attempt: 1 },
        "chatlog:msg:m-dead",
      );
      expect(taken.acquired).toBe(true);
      first.close();
      const b = turnOptions(repo, [{ text: "Answered by the retry." }], question);
      const retry = await streamChatTurn({ ...b.options, claims: second, followTimeoutMs: 20_000 });
      const shown = await clientMessage(retry.stream);
      const stored = await retry.stored;

      expect(b.model.doStreamCalls).toHaveLength(1);
      // The reply keeps the id the dead generator's claim announced.
      expect(shown.id).toBe("chatlog:msg:m-dead");
      expect(stored?.message.id).toBe("chatlog:msg:m-dead");
      const { messages } = await loadUIMessages(repo, "c");
      expect(messages.map((m) => m.id)).toEqual(["u-1", "chatlog:msg:m-dead"]);
      expect(messages[1]?.parts.find((p) => p.type === "text")).toMatchObject({
        text: "Answered by the retry.",
      });
      expect(shown).toEqual(messages[1]);
      expect(await repo.listTurnClaims("c")).toEqual([]);
      second.close();
    });

    it("a continuation after a tool approval is appended to the same assistant message, once", async () => {
      const { repo } = await open();
      const question = user("u-1", "Delete /tmp/x");
      const first = turnOptions(
        repo,
        [{ toolCalls: [{ id: "call-1", name: "deleteFile", input: { path: "/tmp/x" } }] }],
        question,
      );
      const turn = await streamChatTurn(first.options);
      const asked = await clientMessage(turn.stream);
      await turn.stored;
      const approvalPart = asked.parts.find((p) => p.type === "tool-deleteFile");
      expect(approvalPart).toMatchObject({ state: "approval-requested" });
      // The client answers the approval (what useChat's addToolApprovalResponse does) and sends the message back.
      const approved = approveAll(asked, "tool-deleteFile");
      const next = turnOptions(repo, [{ text: "Deleted it." }], approved);
      const continued = await streamChatTurn(next.options);
      expect(continued.messageId).toBe(asked.id);
      const final = await clientMessage(continued.stream, structuredClone(approved));
      await continued.stored;
      const { messages } = await loadUIMessages(repo, "c");
      expect(messages).toEqual([question, final]);
      expect(final.parts.find((p) => p.type === "tool-deleteFile")).toMatchObject({
        state: "output-available",
        output: { deleted: "/tmp/x" },
      });
      expect(final.parts.at(-1)).toEqual({ type: "text", text: "Deleted it.", state: "done" });
      await validateUIMessages({ messages });
      expectPairedToolCalls(await convertToModelMessages(messages), { complete: true });
      // The same continuation again: replayed, no model call, nothing added.
      const retry = turnOptions(repo, [{ text: "again" }], approved);
      const replay = await streamChatTurn(retry.options);
      expect(replay.source).toBe("stored");
      expect(await clientMessage(replay.stream, structuredClone(approved))).toEqual(final);
      expect(retry.model.doStreamCalls).toHaveLength(0);
      expect((await loadUIMessages(repo, "c")).messages).toEqual([question, final]);
    });

    it("rejects a continuation of a message the conversation does not end with", async () => {
      const { repo } = await open();
      const stranger: UIMessage = { id: "nope", role: "assistant", parts: [{ type: "text", text: "x" }] };
      const { options, model } = turnOptions(repo, [{ text: "x" }], stranger);
      await expect(streamChatTurn(options)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(
        streamChatTurn({ ...options, message: { id: "u", role: "user", parts: [] } }),
      ).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
      expect(model.doStreamCalls).toHaveLength(0);
      expect(await repo.getEvents("c")).toEqual([]);
    });

    it("works unchanged on a forOwner repository; another user sees none of it and cannot write into it", async () => {
      const { repo, raw } = await open();
      const alice = repo.forOwner("alice");
      const bob = repo.forOwner("bob");
      const question = user("u-1", "Weather in Paris?");
      const steps: Step[] = [
        { toolCalls: [{ id: "call-1", name: "weather", input: { city: "Paris" } }] },
        { text: "21 degrees in Paris." },
      ];
      const turn = await streamChatTurn(turnOptions(alice, steps, question).options);
      const sent = await clientMessage(turn.stream);
      await turn.stored;
      const note = user("u-2", "thanks");
      await saveUIMessage(alice, "c", note);
      expect((await loadUIMessages(alice, "c")).messages).toEqual([question, sent, note]);
      expect((await loadUIMessages(repo, "c")).messages).toEqual([question, sent, note]);

      const before = await raw.all("SELECT id, seq FROM chat_events ORDER BY seq");
      expect((await loadUIMessages(bob, "c")).messages).toEqual([]);
      await expect(saveUIMessage(bob, "c", user("u-3", "intrusion"))).rejects.toMatchObject({
        code: "NOT_OWNER",
      });
      const intrusion = turnOptions(bob, steps, user("u-4", "intrusion"));
      await expect(streamChatTurn(intrusion.options)).rejects.toMatchObject({ code: "NOT_OWNER" });
      expect(intrusion.model.doStreamCalls).toHaveLength(0);
      expect(await raw.all("SELECT id, seq FROM chat_events ORDER BY seq")).toEqual(before);
      expect(await raw.all("SELECT owner_id FROM chat_conversations")).toEqual([{ owner_id: "alice" }]);
    });
  });
}
