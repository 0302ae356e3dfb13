import { describe, expect, it } from "vitest";
import { TurnClaims } from "../src/index.ts";
import { drivers, useDatabase } from "./drivers.ts";

const turn = { conversationId: "c", userRequestId: "r1", attempt: 1 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const driver of drivers) {
  describe(`TurnClaims (${driver.name})`, () => {
    const open = useDatabase(driver);

    // Seen in the soak: a process whose event loop was starved let its own heartbeat lag past
    // staleMs; its sweeper (or a resume) then "took over" the claim from its own live generator,
    // which shares the owner id, finalized the reply, and the generator's next delta still
    // passed the claim check: a row written after its reply.
    it("a process never takes over, or re-takes, a claim it holds itself, however late its heartbeat", async () => {
      const { repo } = await open();
      await repo.handleUserMessagePersistence("c", "hello", "r1");
      // The heartbeat (1 s) is far slower than staleness (50 ms): as under a starved event loop.
      const here = new TurnClaims(repo, { staleMs: 50, heartbeatMs: 1_000 });
      const elsewhere = new TurnClaims(repo, { staleMs: 50, heartbeatMs: 1_000 });
      const taken = await here.take(turn, "m1");
      expect(taken.acquired).toBe(true);
      await sleep(150);

      const claim = await repo.getTurnClaim(turn);
      expect(claim?.ageMs).toBeGreaterThan(50);
      expect(here.isAbandoned(claim!)).toBe(false);
      const again = await here.take(turn, "m2");
      expect(again).toMatchObject({ acquired: false, claim: { ownerId: here.ownerId, messageId: "m1" } });

      // Another process does see it stale, and takes it over; the first then learns it lost it.
      expect(elsewhere.isAbandoned(claim!)).toBe(true);
      const over = await elsewhere.take(turn, "m3");
      expect(over).toMatchObject({ acquired: true, claim: { ownerId: elsewhere.ownerId, messageId: "m1" } });
      expect((await here.take(turn, "m4")).acquired).toBe(false);
      here.close();
      elsewhere.close();
    });

    it("concurrent takes in one process: exactly one acquires", async () => {
      const { repo } = await open();
      const claims = new TurnClaims(repo);
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => claims.take(turn, `m${i}`)));
      expect(results.filter((r) => r.acquired)).toHaveLength(1);
      expect(new Set(results.map((r) => r.claim.messageId)).size).toBe(1);
      claims.close();
    });
  });
}
