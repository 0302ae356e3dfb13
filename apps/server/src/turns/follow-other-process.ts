import { ASSISTANT_DELTA_KIND, type ChatEvent, type ChatRepository, contentToText } from "@chatlog/core";
import { emitStoredToolEvent } from "./replay-stored.ts";
import type { TurnBroadcast } from "./turn-broadcast.ts";

export interface FollowOptions {
  pollMs: number;
  /** No new event for this long: the other process is presumed dead and the turn is finalized. */
  staleMs: number;
  signal: AbortSignal;
}

function isDelta(event: ChatEvent): boolean {
  return event.type === "meta" && event.extra.kind === ASSISTANT_DELTA_KIND;
}

/**
 * Follows a turn that another process is generating on the same database: streams its persisted
 * deltas as they appear and finishes with its reply. If the other process stops making progress,
 * the turn is finalized from its deltas (interrupted), as a restart would.
 */
export async function followOtherProcess(
  repo: ChatRepository,
  conversationId: string,
  userRequestId: string,
  out: TurnBroadcast,
  options: FollowOptions,
): Promise<void> {
  out.push({ type: "ready", replay: true, source: "other-process" });
  let lastSeq = 0;
  let sent = "";
  let lastProgress = Date.now();
  for (;;) {
    const events = await repo.getTurnEvents(conversationId, userRequestId);
    for (const event of events) {
      if (event.seq <= lastSeq) continue;
      lastSeq = event.seq;
      lastProgress = Date.now();
      if (event.type === "assistant_message") {
        const content = contentToText(event.content);
        // Compaction may land between two polls: send whatever of the reply was not yet sent.
        if (content.startsWith(sent) && content.length > sent.length) {
          out.push({ type: "delta", text: content.slice(sent.length) });
        }
        out.push({
          type: "done",
          eventId: event.id,
          seq: event.seq,
          content,
          interrupted: event.extra.interrupted === true,
        });
        return;
      }
      if (isDelta(event)) {
        const text = contentToText(event.content);
        sent += text;
        out.push({ type: "delta", text });
      } else {
        emitStoredToolEvent(event, out);
      }
    }
    if (options.signal.aborted) {
      // This server is stopping; the other process still owns the turn, so leave it alone.
      out.push({ type: "error", code: "SHUTTING_DOWN", message: "the server stopped following this turn" });
      return;
    }
    if (Date.now() - lastProgress > options.staleMs) {
      const deltas = events.filter(isDelta).map((e) => contentToText(e.content));
      const reply = await repo.compactDeltas(conversationId, userRequestId, deltas.join(""), null, {
        interrupted: true,
      });
      const content = contentToText(reply.content);
      out.push({ type: "done", eventId: reply.id, seq: reply.seq, content, interrupted: true });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
