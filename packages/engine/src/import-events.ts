import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ChatEvent,
  ChatlogError,
  type ImportResult,
  MAX_SEQ,
  uuidv7,
  validateEvent,
} from "@chatlog/core";
import type { Dialect } from "./dialect.ts";
import type { SqlArgs, SqlExecutor, Step } from "./executor.ts";
import { encodeEvent } from "./row-codec.ts";
import { deleteInSlices } from "./sliced-delete.ts";
import type { WriteQueue } from "./write-queue.ts";

/** Events staged per transaction: bounds how long one chunk holds the write lock. */
export const IMPORT_CHUNK = 500;
/** Staging rows of an import begun this long ago belong to a process that died: swept. */
const STALE_STAGING_MS = 24 * 3_600_000;
/** After each chunk the importer rests as long as the chunk took, so other writers get the lock. */
const MIN_REST_MS = 2;

function failAt(dialect: Dialect, index: number, error: unknown): ChatlogError {
  const cause = dialect.toChatlogError(error);
  const code = dialect.classify(error) === "conflict" ? "CONFLICT" : cause.code;
  const message = /chatlog_import_staging/.test(cause.message)
    ? "an earlier event of this import has the same id, or the same conversation and seq"
    : cause.message;
  return new ChatlogError(code, `event #${index + 1}: ${message}`, {
    cause: error,
    details: { ...cause.details, index },
  });
}

function checked(input: ChatEvent): { seq: number; args: SqlArgs } {
  const seq = (input as { seq?: unknown }).seq;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
    throw new ChatlogError("INVALID_EVENT", "event.seq must be a non-negative integer in an import");
  }
  if (seq > MAX_SEQ) {
    throw new ChatlogError("INVALID_EVENT", `event.seq must be at most ${MAX_SEQ} (2^50) in an import`, {
      details: { field: "seq", maxSeq: MAX_SEQ },
    });
  }
  if (!(input.createdAt instanceof Date)) {
    throw new ChatlogError("INVALID_EVENT", "event.createdAt is required in an import");
  }
  return { seq, args: encodeEvent(validateEvent(input)) };
}

/**
 * An import, all or nothing, that never keeps a transaction open and never holds the write lock
 * for long:
 *
 * 1. Stage: the input is read and validated in chunks of IMPORT_CHUNK events; each chunk is
 *    written to chatlog_import_staging under this import's id as one job of the write queue (one
 *    short transaction, taking its turn with live writes, which run between chunks) and checked
 *    against the stored events, so a conflict is reported with its input position. Readers never
 *    look at the staging table, so nothing of the import is visible yet.
 * 2. Publish: one INSERT ... SELECT moves every staged event not already stored into chat_events,
 *    in one transaction. A collision (for instance with a write that landed after its chunk was
 *    checked) fails that statement, and nothing of the import lands.
 * 3. The staging rows are deleted in slices, whatever happened.
 *
 * A process killed while staging leaves only staging rows; they are invisible, and swept by a
 * later import after STALE_STAGING_MS.
 */
export async function importEvents(
  executor: SqlExecutor,
  dialect: Dialect,
  queue: WriteQueue,
  events: Iterable<ChatEvent> | AsyncIterable<ChatEvent>,
  owners?: ReadonlyMap<string, string>,
): Promise<ImportResult> {
  const SQL = dialect.statements;
  const importId = uuidv7();
  const startedAt = Date.now();
  await deleteInSlices(executor, (batch) => ({
    statement: SQL.sweepStagingSlice,
    args: { cutoff_ms: startedAt - STALE_STAGING_MS, batch },
  }));
  try {
    let staged = 0;
    let chunk: Step[] = [];
    const conversations = new Set<string>();
    for await (const input of events) {
      try {
        const { seq, args } = checked(input);
        conversations.add(String(args.conversation_id));
        chunk.push({
          statement: SQL.stageImport,
          args: { ...args, seq, import_id: importId, ord: staged, started_at_ms: startedAt },
        });
      } catch (error) {
        throw failAt(dialect, staged, error);
      }
      staged++;
      if (chunk.length >= IMPORT_CHUNK) {
        await stageChunk(dialect, queue, importId, staged - chunk.length, chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await stageChunk(dialect, queue, importId, staged - chunk.length, chunk);
    if (staged === 0) return { imported: 0, skipped: 0 };

    const claims = await ownerClaims(executor, dialect, conversations, owners);
    let published: number;
    try {
      const rows = await queue.submit([
        ...claims,
        { statement: SQL.publishImport, args: { import_id: importId } },
      ]);
      published = rows.at(-1)?.length ?? 0;
    } catch (error) {
      const cause = dialect.toChatlogError(error);
      const code = dialect.classify(error) === "conflict" ? "CONFLICT" : cause.code;
      throw new ChatlogError(code, `the import could not be published: ${cause.message}`, { cause: error });
    }
    return { imported: published, skipped: staged - published };
  } finally {
    await deleteInSlices(executor, (batch) => ({
      statement: SQL.unstageSlice,
      args: { import_id: importId, batch },
    })).catch(() => undefined);
  }
}

/**
 * The owners an import gives its conversations: each must be new or already that owner's
 * (CONFLICT otherwise, before anything is published); a new one is claimed in the publishing
 * job itself, so its events land already owned. (A conversation created by someone else between
 * this check and the publish keeps its owner, since a claim never overwrites one.)
 */
async function ownerClaims(
  executor: SqlExecutor,
  dialect: Dialect,
  conversations: ReadonlySet<string>,
  owners: ReadonlyMap<string, string> | undefined,
): Promise<Step[]> {
  const claims: Step[] = [];
  const now = Date.now();
  for (const [conversationId, ownerId] of owners ?? []) {
    if (!conversations.has(conversationId)) continue;
    const args = { conversation_id: conversationId, owner_id: ownerId, now_ms: now };
    const foreign = await executor.all({ statement: dialect.statements.foreignConversation, args });
    if (foreign.length > 0) {
      throw new ChatlogError(
        "CONFLICT",
        `conversation ${conversationId} already exists with another owner (or none); its owner is never changed`,
        { details: { conversationId } },
      );
    }
    claims.push({ statement: dialect.statements.claimConversation, args });
  }
  return claims;
}

/** Stages one chunk and checks it against the stored events; rests after, letting others write. */
async function stageChunk(
  dialect: Dialect,
  queue: WriteQueue,
  importId: string,
  from: number,
  steps: Step[],
): Promise<void> {
  const started = performance.now();
  const conflictCheck: Step = {
    statement: dialect.statements.stagedConflict,
    args: { import_id: importId, from, to: from + steps.length - 1 },
  };
  let rows: unknown[][];
  try {
    rows = await queue.submit([...steps, conflictCheck]);
  } catch (error) {
    // A failed chunk rolled back whole; name the event that failed by staging each on its own.
    throw await locateFailure(dialect, queue, from, steps, error);
  }
  const conflict = rows.at(-1)?.[0] as { ord?: unknown; id?: unknown } | undefined;
  if (conflict !== undefined) {
    const index = Number(conflict.ord);
    throw new ChatlogError(
      "CONFLICT",
      `event #${index + 1}: event ${String(conflict.id)} collides with a different stored event (same id elsewhere, same position, or same request id)`,
      { details: { index } },
    );
  }
  await sleep(Math.max(MIN_REST_MS, performance.now() - started));
}

async function locateFailure(
  dialect: Dialect,
  queue: WriteQueue,
  from: number,
  steps: Step[],
  chunkError: unknown,
): Promise<ChatlogError> {
  for (let i = 0; i < steps.length; i++) {
    try {
      await queue.submit([steps[i]!]);
    } catch (error) {
      return failAt(dialect, from + i, error);
    }
  }
  // Each staged alone: the chunk failed for a reason of its own (e.g. BUSY); the rows staged
  // now are deleted with the rest of the import.
  return dialect.toChatlogError(chunkError);
}
