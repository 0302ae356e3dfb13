import { type ChatEvent, ChatlogError } from "@chatlog/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DriverHarness } from "../harness.ts";
import { count, withDb } from "./support.ts";

/** Runs per property: bounded so CI stays quick; raise FUZZ_RUNS locally for a longer search. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("", "\u0000", "\ud800", "x\udfff", "assistant:r1", "😀", "a".repeat(600), "[1,2]", "null"),
);

const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    hostileString,
    fc.constant(undefined),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(hostileString, tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** An exported event, then perhaps one field replaced by something arbitrary. */
const eventArb = fc
  .record({
    id: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, fc.constantFrom("e1", "e2", "e3"), hostileString),
    conversationId: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("a", "b") }, hostileString),
    seq: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 12 }) },
      fc.constantFrom(0, -1, 1.5, 2 ** 60, Number.NaN),
    ),
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("user_message", "assistant_message", "tool_result", "meta") },
      fc.constant("bogus"),
    ),
    role: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("user", "assistant", "tool", null) },
      fc.constant("robot"),
    ),
    content: fc.oneof(
      hostileString,
      fc.constant(null),
      fc.array(fc.record({ type: fc.constant("text"), text: hostileString }), { maxLength: 2 }),
    ),
    createdAt: fc.oneof(
      { weight: 6, arbitrary: fc.date({ noInvalidDate: true }) },
      fc.constant(new Date(Number.NaN)),
    ),
    extra: fc.oneof(
      fc.constant({}),
      fc.record({ request_id: hostileString }),
      fc.dictionary(hostileString, jsonish, { maxKeys: 3 }),
    ),
    raw: jsonish,
  })
  .chain((event) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(event) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...Object.keys(event)), jsonish)
          .map(([k, v]) => ({ ...event, [k]: v })),
      },
    ),
  );

export function importFuzzCases(h: DriverHarness): void {
  describe("importEvents fuzz", () => {
    it("any input: a typed error with nothing written, or every event imported or skipped", () =>
      withDb(h, async ({ repo, raw }) => {
        const outcomes = { imported: 0, rejected: 0 };
        await fc.assert(
          fc.asyncProperty(fc.array(eventArb, { maxLength: 8 }), async (events) => {
            const before = await count(raw, "SELECT COUNT(*) FROM chat_events");
            let result: { imported: number; skipped: number } | undefined;
            try {
              result = await repo.importEvents(events as unknown as ChatEvent[]);
            } catch (error) {
              outcomes.rejected++;
              expect(error, String(error)).toBeInstanceOf(ChatlogError);
              expect((error as ChatlogError).message.split("\n")).toHaveLength(1);
              expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(before);
            }
            if (result !== undefined) {
              outcomes.imported++;
              expect(result.imported + result.skipped).toBe(events.length);
              expect(await count(raw, "SELECT COUNT(*) FROM chat_events")).toBe(before + result.imported);
              // What was imported reads back without a corrupt field.
              for (const event of events) {
                const [stored] = await repo.getEvents(event.conversationId, {
                  afterSeq: event.seq - 1,
                  limit: 1,
                });
                expect(stored?.corruptFields).toBeUndefined();
              }
            }
            expect(await count(raw, "SELECT COUNT(*) FROM chatlog_import_staging")).toBe(0);
          }),
          { numRuns: RUNS },
        );
        // The generator must exercise both paths, or the property says little.
        expect(outcomes.imported, JSON.stringify(outcomes)).toBeGreaterThan(0);
        expect(outcomes.rejected, JSON.stringify(outcomes)).toBeGreaterThan(0);
      }));
  });
}
