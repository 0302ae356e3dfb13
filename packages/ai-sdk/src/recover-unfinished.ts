import type { ChatRepository, TurnKey } from "@chatlog/core";
import { finalizeAbandoned } from "./finalize-abandoned.ts";
import { attemptOf } from "./stored-extra.ts";
import { isDelta, messageIdOf } from "./turn-attempts.ts";
import type { ClaimLogger, TurnClaims } from "./turn-claims.ts";

const SILENT: ClaimLogger = { warn() {} };

/** Most abandoned claims handled per sweep (the rest wait for the next). */
const SWEEP_LIMIT = 200;

async function finalizeClaimed(
  repo: ChatRepository,
  claims: TurnClaims,
  { conversationId, userRequestId, attempt }: TurnKey,
  messageId: string,
  logger: ClaimLogger = SILENT,
): Promise<boolean> {
  const turn = { conversationId, userRequestId, attempt };
  const taken = await claims.take(turn, messageId);
  if (!taken.acquired) return false; // a live process holds it (or another sweeper won)
  try {
    const reply = await finalizeAbandoned(repo, { ...turn, ownerId: claims.ownerId }, taken.claim.messageId);
    logger.warn("finalized an interrupted turn", {
      ...turn,
      replyId: reply?.id ?? null,
      chars: reply ? String(reply.content ?? "").length : 0,
    });
    return true;
  } finally {
    await claims.release(turn);
  }
}

/**
 * Takes over and finalizes the turns whose generator is gone: claims whose heartbeat went
 * stale, or whose process no longer exists. A live process's turn is never touched, whatever
 * this process's age, so restarting one server of several loses nothing of the others' turns.
 * Every server runs this periodically; the claim makes one of them do each turn.
 */
export async function sweepAbandonedTurns(
  repo: ChatRepository,
  claims: TurnClaims,
  logger: ClaimLogger = SILENT,
): Promise<number> {
  let finalized = 0;
  for (const claim of await repo.listStaleTurnClaims(0, SWEEP_LIMIT)) {
    if (!claims.isAbandoned(claim)) continue;
    if (await finalizeClaimed(repo, claims, claim, claim.messageId, logger)) finalized++;
  }
  return finalized;
}

/**
 * Start-up recovery: the sweep above, plus turns with deltas, no reply and no claim at all
 * (written before claims existed, or by the Python system's own streaming). Those are taken
 * with a fresh claim first, so a turn that a live process claimed meanwhile is left alone.
 */
export async function recoverUnfinishedTurns(
  repo: ChatRepository,
  claims: TurnClaims,
  logger: ClaimLogger = SILENT,
): Promise<number> {
  let finalized = await sweepAbandonedTurns(repo, claims, logger);
  for (const turn of await repo.listUnfinishedTurns()) {
    const events = await repo.getTurnEvents(turn.conversationId, turn.userRequestId);
    const deltas = events.filter(isDelta);
    const last = deltas.at(-1);
    if (!last) continue;
    const key = { ...turn, attempt: attemptOf(last) };
    if (await repo.getTurnClaim(key)) continue; // claimed: the sweep decides, by its heartbeat
    const messageId = messageIdOf(last) ?? last.id;
    if (await finalizeClaimed(repo, claims, key, messageId, logger)) finalized++;
  }
  // Writes are claim-conditional now, so only a database written by an older version has these.
  const orphans = await repo.deleteOrphanDeltas();
  if (orphans > 0) logger.warn("removed deltas of turns already answered", { rows: orphans });
  return finalized;
}
