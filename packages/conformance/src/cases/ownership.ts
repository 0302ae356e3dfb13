import type { ChatRepository } from "@chatlog/core";
import { describe, expect, it } from "vitest";
import type { DriverHarness, RawDb } from "../harness.ts";
import { add, assistant, at, count, delta, rejectsWith, user, withDb } from "./support.ts";

/** Everything stored that a refused write could have changed, read straight from the tables. */
async function footprint(raw: RawDb) {
  return {
    events: await raw.all(
      "SELECT id, conversation_id, seq, content FROM chat_events ORDER BY conversation_id, seq",
    ),
    conversations: await raw.all(
      "SELECT conversation_id, owner_id, event_count, last_seq, title FROM chat_conversations ORDER BY conversation_id",
    ),
    saved: await raw.all("SELECT id, conversation_id FROM chat_saved_sessions ORDER BY id"),
    claims: await raw.all(
      "SELECT conversation_id, user_request_id, owner_id FROM chat_turn_claims ORDER BY 1, 2",
    ),
  };
}

/** Alice owns "a1" (a finished turn, a saved session, a claim in flight); nobody owns "admin1". */
async function twoUsers(repo: ChatRepository) {
  const alice = repo.forOwner("alice");
  const bob = repo.forOwner("bob");
  expect(await alice.handleUserMessagePersistence("a1", "hello from alice", "r1")).toBe(true);
  await alice.persistAssistantMessage("a1", "r1", "hi alice", "m");
  await alice.addEvent(delta("a1", "r2", "partial"));
  await alice.claimTurn({
    conversationId: "a1",
    userRequestId: "r2",
    attempt: 1,
    ownerId: "proc-a",
    messageId: "msg-a",
    staleMs: 60_000,
  });
  const savedId = await alice.saveSession("a1", "alice's");
  await add(repo, user("admin1", "written unscoped"));
  return { alice, bob, savedId };
}

export function ownershipCases(h: DriverHarness): void {
  describe("owners (forOwner)", () => {
    it("a user's first write makes the conversation theirs; lists show only theirs, the administrator sees every owner", () =>
      withDb(h, async ({ repo, raw }) => {
        const alice = repo.forOwner("alice");
        const bob = repo.forOwner("bob");
        await add(alice, { ...user("a1", "one"), createdAt: at(0) });
        await add(bob, { ...user("b1", "two"), createdAt: at(1) });
        await add(alice, { ...user("a2", "three"), createdAt: at(2) });
        await add(repo, { ...user("x1", "four"), createdAt: at(3) });
        expect(
          (await alice.listConversations()).conversations.map((c) => [c.conversationId, c.ownerId]),
        ).toEqual([
          ["a2", "alice"],
          ["a1", "alice"],
        ]);
        expect((await bob.listConversations()).conversations.map((c) => c.conversationId)).toEqual(["b1"]);
        const all = await repo.listConversations();
        expect(all.conversations.map((c) => [c.conversationId, c.ownerId])).toEqual([
          ["x1", null],
          ["a2", "alice"],
          ["b1", "bob"],
          ["a1", "alice"],
        ]);
        const byOwner = await repo.listConversations({ ownerId: "alice", limit: 1 });
        expect(byOwner.conversations.map((c) => c.conversationId)).toEqual(["a2"]);
        const next = await repo.listConversations({ ownerId: "alice", limit: 1, cursor: byOwner.nextCursor });
        expect(next).toMatchObject({ conversations: [{ conversationId: "a1" }], nextCursor: null });
        expect(await raw.all("SELECT conversation_id, owner_id FROM chat_conversations ORDER BY 1")).toEqual([
          { conversation_id: "a1", owner_id: "alice" },
          { conversation_id: "a2", owner_id: "alice" },
          { conversation_id: "b1", owner_id: "bob" },
          { conversation_id: "x1", owner_id: null },
        ]);
        // A later write by the administrator does not change the owner.
        await add(repo, assistant("a1", "admin reply"));
        expect(await count(raw, "SELECT COUNT(*) FROM chat_conversations WHERE owner_id = 'alice'")).toBe(2);
      }));

    it("another user's conversation, and an unowned one, do not exist for a user's reads", () =>
      withDb(h, async ({ repo }) => {
        const { alice, bob, savedId } = await twoUsers(repo);
        for (const [reader, id] of [
          [bob, "a1"],
          [alice, "admin1"],
          [bob, "admin1"],
        ] as const) {
          expect(await reader.getEvents(id)).toEqual([]);
          expect(await reader.getEvents(id, { beforeSeq: 99, limit: 5 })).toEqual([]);
          expect(await reader.getConversationHistory(id)).toEqual([]);
          expect(await reader.getEventByRequestId(id, "r1")).toBeNull();
          expect(await reader.getLastAssistantReplyId(id, "r1")).toBeNull();
          expect(await reader.getExistingAssistantResponse(id, "r1")).toBeNull();
          expect(await reader.getTurnEvents(id, "r1")).toEqual([]);
          expect(await reader.listTurnClaims(id)).toEqual([]);
          expect(
            await reader.getTurnClaim({ conversationId: id, userRequestId: "r2", attempt: 1 }),
          ).toBeNull();
          const llm = await reader.buildLlmConversation(id, "next", "system");
          expect(llm.map((m) => m.role)).toEqual(["system", "user"]);
        }
        expect((await bob.listConversations()).conversations).toEqual([]);
        expect(await bob.listSavedSessions()).toEqual([]);
        expect((await bob.listSavedSessionsPage()).saved).toEqual([]);
        await rejectsWith(() => bob.loadSavedSession(savedId), "NOT_FOUND");
        await rejectsWith(() => bob.loadSavedSessionPage(savedId), "NOT_FOUND");
        expect(await bob.listUnfinishedTurns()).toEqual([]);
        expect(await bob.listStaleTurnClaims(0)).toEqual([]);
        // The owner and the administrator still read everything.
        expect((await alice.getEvents("a1")).length).toBe(3);
        expect(await alice.listSavedSessions()).toHaveLength(1);
        expect(await alice.listUnfinishedTurns()).toEqual([{ conversationId: "a1", userRequestId: "r2" }]);
        expect(await alice.listStaleTurnClaims(0)).toHaveLength(1);
        expect((await repo.getEvents("a1")).length).toBe(3);
        expect((await repo.getEvents("admin1")).length).toBe(1);
      }));

    it("a user's writes into another's (or an unowned) conversation are NOT_OWNER and write nothing", () =>
      withDb(h, async ({ repo, raw }) => {
        const { bob, savedId } = await twoUsers(repo);
        const before = await footprint(raw);
        for (const id of ["a1", "admin1"]) {
          await rejectsWith(() => bob.addEvent(user(id, "intrusion")), "NOT_OWNER");
          await rejectsWith(() => bob.handleUserMessagePersistence(id, "intrusion", "rb"), "NOT_OWNER");
          await rejectsWith(() => bob.persistAssistantMessage(id, "r1", "intrusion", "m"), "NOT_OWNER");
          await rejectsWith(() => bob.compactDeltas(id, "r2", "intrusion"), "NOT_OWNER");
          await rejectsWith(() => bob.saveSession(id), "NOT_OWNER");
          await rejectsWith(() => bob.deleteConversation(id), "NOT_OWNER");
          await rejectsWith(() => bob.setConversationTitle(id, "renamed"), "NOT_OWNER");
          const key = { conversationId: id, userRequestId: "r2", attempt: 1 };
          await rejectsWith(
            () =>
              bob.claimTurn({
                ...key,
                ownerId: "proc-b",
                messageId: "m-b",
                staleMs: 0,
                deadOwnerId: "proc-a",
              }),
            "NOT_OWNER",
          );
          await rejectsWith(() => bob.releaseTurnClaim(key, "proc-a"), "NOT_OWNER");
          const held = { ...key, ownerId: "proc-a" };
          await rejectsWith(() => bob.appendHeld(held, delta(id, "r2", "intrusion")), "NOT_OWNER");
          await rejectsWith(() => bob.compactHeld(held, "intrusion"), "NOT_OWNER");
        }
        // A saved session of someone else's conversation behaves as unknown.
        expect(await bob.deleteSavedSession(savedId)).toBe(false);
        expect(await footprint(raw)).toEqual(before);
      }));

    it("an event id taken in another user's conversation is refused without showing that event", () =>
      withDb(h, async ({ repo, raw }) => {
        const alice = repo.forOwner("alice");
        const stored = await add(alice, user("a1", "secret"));
        const bob = repo.forOwner("bob");
        const error = await rejectsWith(
          () => bob.addEvent({ ...user("b1", "mine"), id: stored.id }),
          "CONFLICT",
        );
        expect(JSON.stringify(error)).not.toContain("secret");
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE conversation_id = 'b1'")).toBe(0);
        expect((await bob.listConversations()).conversations).toEqual([]);
      }));

    it("a user retries, compacts, saves, deletes and reuses their own conversations as before", () =>
      withDb(h, async ({ repo, raw }) => {
        const alice = repo.forOwner("alice");
        expect(await alice.handleUserMessagePersistence("a1", "q", "r1")).toBe(true);
        expect(await alice.handleUserMessagePersistence("a1", "q", "r1")).toBe(false);
        await alice.addEvent(delta("a1", "r1", "par"));
        const reply = await alice.compactDeltas("a1", "r1", "partial");
        expect(await alice.getExistingAssistantResponse("a1", "r1")).toEqual(reply);
        const savedId = await alice.saveSession("a1");
        expect((await alice.loadSavedSession(savedId)).map((e) => e.type)).toEqual([
          "user_message",
          "assistant_message",
        ]);
        expect(await alice.deleteConversation("a1")).toEqual({ deletedEvents: 2, deletedSavedSessions: 1 });
        expect(await count(raw, "SELECT COUNT(*) FROM chat_conversations")).toBe(0);
        // Erased, the id is free again: the next first write decides its owner.
        await add(repo.forOwner("bob"), user("a1", "bob's now"));
        expect((await alice.getEvents("a1")).length).toBe(0);
        expect((await repo.listConversations()).conversations.map((c) => c.ownerId)).toEqual(["bob"]);
      }));

    it("getConversation gives a conversation's summary with its owner, to its owner and the administrator only", () =>
      withDb(h, async ({ repo }) => {
        const alice = repo.forOwner("alice");
        await add(alice, { ...user("a1", "hello"), createdAt: at(0) });
        const summary = {
          conversationId: "a1",
          createdAt: at(0),
          lastActivityAt: at(0),
          eventCount: 1,
          title: "hello",
          ownerId: "alice",
        };
        expect(await alice.getConversation("a1")).toEqual(summary);
        expect(await repo.getConversation("a1")).toEqual(summary);
        expect(await repo.forOwner("bob").getConversation("a1")).toBeNull();
        expect(await repo.getConversation("none")).toBeNull();
      }));

    it("an import carries owners: new conversations land owned, a re-import is skipped, another owner is CONFLICT", () =>
      withDb(h, async ({ repo, raw }) => {
        await add(repo.forOwner("alice"), user("a1", "one"));
        await add(repo.forOwner("alice"), user("a2", "two"));
        const exported = [...(await repo.getEvents("a1")), ...(await repo.getEvents("a2"))];
        const owners = new Map([
          ["a1", "alice"],
          ["a2", "alice"],
        ]);
        expect(await repo.importEvents(exported, { owners })).toEqual({ imported: 0, skipped: 2 });

        await repo.deleteConversation("a2");
        expect(await repo.importEvents(exported, { owners })).toEqual({ imported: 1, skipped: 1 });
        expect((await repo.forOwner("alice").listConversations()).conversations).toHaveLength(2);

        const before = await footprint(raw);
        const error = await rejectsWith(
          () => repo.importEvents(exported, { owners: new Map([["a1", "bob"]]) }),
          "CONFLICT",
        );
        expect(error.details).toMatchObject({ conversationId: "a1" });
        await repo.deleteConversation("a2");
        const whole = await rejectsWith(
          () =>
            repo.importEvents(exported, {
              owners: new Map([
                ["a1", "bob"],
                ["a2", "bob"],
              ]),
            }),
          "CONFLICT",
        );
        expect(whole.code).toBe("CONFLICT");
        expect(await count(raw, "SELECT COUNT(*) FROM chat_events WHERE conversation_id = 'a2'")).toBe(0);
        expect((await footprint(raw)).conversations.filter((c) => c.conversation_id === "a1")).toEqual(
          before.conversations.filter((c) => c.conversation_id === "a1"),
        );
        await rejectsWith(
          () => repo.importEvents(exported, { owners: new Map([["a1", ""]]) }),
          "INVALID_ARGUMENT",
        );
      }));

    it("calls that span every user are ADMIN_ONLY through forOwner; bad owner ids are INVALID_ARGUMENT", () =>
      withDb(h, async ({ repo }) => {
        const alice = repo.forOwner("alice");
        expect(alice.ownerId).toBe("alice");
        expect(repo.ownerId).toBeNull();
        expect(alice.forOwner("alice")).toBe(alice);
        expect(() => alice.forOwner("bob")).toThrow(expect.objectContaining({ code: "ADMIN_ONLY" }));
        await rejectsWith(() => alice.listConversations({ ownerId: "bob" }), "ADMIN_ONLY");
        await rejectsWith(() => alice.handleClearSession(), "ADMIN_ONLY");
        await rejectsWith(() => alice.runRetention(), "ADMIN_ONLY");
        await rejectsWith(() => alice.vacuum(), "ADMIN_ONLY");
        await rejectsWith(() => alice.stats(), "ADMIN_ONLY");
        await rejectsWith(() => alice.deleteOrphanDeltas(), "ADMIN_ONLY");
        await rejectsWith(() => alice.importEvents([]), "ADMIN_ONLY");
        for (const bad of ["", "a\nb", "x".repeat(1000)]) {
          expect(() => repo.forOwner(bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
        }
        await rejectsWith(() => repo.listConversations({ ownerId: "" }), "INVALID_ARGUMENT");
        // Closing a scoped view leaves the repository open; closing the repository ends the views.
        await alice.close();
        await rejectsWith(() => alice.getEvents("a1"), "CLOSED");
        await add(repo.forOwner("alice"), user("a1", "still open"));
        const bob = repo.forOwner("bob");
        await repo.close();
        await rejectsWith(() => bob.getEvents("a1"), "CLOSED");
      }));
  });
}
