import { type ChatEvent, ChatlogError, validateEvent } from "@chatlog/core";
import type { TransactionScope } from "./executor.ts";
import { encodeEvent } from "./row-codec.ts";
import { SQL } from "./statements.ts";
import { toChatlogError } from "./storage-error.ts";

function failAt(index: number, error: unknown): ChatlogError {
  const cause = toChatlogError(error);
  const code = /UNIQUE constraint/i.test(cause.message) ? "CONFLICT" : cause.code;
  return new ChatlogError(code, `event #${index + 1}: ${cause.message}`, {
    cause: error,
    details: { ...cause.details, index },
  });
}

/**
 * Inserts exported events with their ids, seqs and timestamps inside the caller's transaction.
 * An id that is already stored at the same position is a re-import and is skipped; anything
 * else that collides (another event at that seq, or with that request id) is a CONFLICT.
 */
export async function importAll(
  tx: TransactionScope,
  events: Iterable<ChatEvent> | AsyncIterable<ChatEvent>,
): Promise<{ imported: number; skipped: number }> {
  let imported = 0;
  let skipped = 0;
  let index = 0;
  for await (const input of events) {
    try {
      const seq = (input as { seq?: unknown }).seq;
      if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
        throw new ChatlogError("INVALID_EVENT", "event.seq must be a non-negative integer in an import");
      }
      if (!(input.createdAt instanceof Date)) {
        throw new ChatlogError("INVALID_EVENT", "event.createdAt is required in an import");
      }
      const event = validateEvent(input);
      const rows = await tx.all({ statement: SQL.importEvent, args: { ...encodeEvent(event), seq } });
      if (rows.length > 0) imported++;
      else {
        const [stored] = await tx.all({ statement: SQL.eventById, args: { id: event.id } });
        if (stored?.conversation_id !== event.conversationId || Number(stored?.seq) !== seq) {
          throw new ChatlogError("CONFLICT", `event ${event.id} is already stored at another position`);
        }
        skipped++;
      }
    } catch (error) {
      throw failAt(index, error);
    }
    index++;
  }
  return { imported, skipped };
}
