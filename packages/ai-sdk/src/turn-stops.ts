import {
  assertId,
  ChatlogError,
  type ChatRepository,
  type TurnClaim,
  type TurnKey,
  turnStopKey,
} from "@chatlog/core";
import { turnKeyString } from "./turn-claims.ts";

/** `extra.kind` of the event that asks a turn's generator to stop. */
export const TURN_STOP_KIND = "turn_stop";

/**
 * Stop: a request to end a turn's generation, recorded in the database so that it
 * reaches the process holding the turn's claim wherever the request arrived. The holder reads
 * it while it generates (one indexed lookup per turn every `pollMs`) and aborts its model call;
 * what was generated is then stored as the reply, marked `extra.stopped`. A stop that arrives
 * at the holder itself aborts at once.
 */
export class TurnStops {
  private readonly local = new Map<string, AbortController>();

  constructor(
    private readonly repo: ChatRepository,
    private readonly pollMs: number,
  ) {}

  /**
   * Records a stop for the conversation's turn in flight (the one of `userRequestId` when
   * given): NO_TURN_IN_FLIGHT when nothing is generating. Returns the stopped turn.
   */
  async request(conversationId: string, userRequestId?: string): Promise<TurnKey> {
    assertId(conversationId, "conversationId");
    if (userRequestId !== undefined) assertId(userRequestId, "requestId");
    const claims = await this.repo.listTurnClaims(conversationId);
    const claim: TurnClaim | undefined = claims
      .filter((c) => userRequestId === undefined || c.userRequestId === userRequestId)
      .at(-1);
    if (claim === undefined) {
      throw new ChatlogError("NO_TURN_IN_FLIGHT", "no reply is being generated in this conversation", {
        details: { conversationId, ...(userRequestId === undefined ? {} : { requestId: userRequestId }) },
      });
    }
    const turn: TurnKey = { conversationId, userRequestId: claim.userRequestId, attempt: claim.attempt };
    await this.repo.addEvent({
      conversationId,
      type: "meta",
      role: null,
      content: null,
      extra: {
        kind: TURN_STOP_KIND,
        request_id: turnStopKey(turn.userRequestId, turn.attempt),
        stopped_request_id: turn.userRequestId,
        stopped_attempt: turn.attempt,
      },
    });
    this.local.get(turnKeyString(turn))?.abort(new Error("stopped"));
    return turn;
  }

  /**
   * Watches for a stop of `turn` while its generation runs here: the signal aborts when one is
   * recorded (or requested in this process). `dispose` ends the watch.
   */
  watch(turn: TurnKey): { signal: AbortSignal; dispose: () => void } {
    const key = turnKeyString(turn);
    const controller = new AbortController();
    this.local.set(key, controller);
    const stopKey = turnStopKey(turn.userRequestId, turn.attempt);
    let checking = false;
    const check = async () => {
      if (checking || controller.signal.aborted) return;
      checking = true;
      try {
        if ((await this.repo.getEventByRequestId(turn.conversationId, stopKey)) !== null) {
          controller.abort(new Error("stopped"));
        }
      } catch {
        // A failed look-up is retried on the next tick; the generation is not disturbed.
      } finally {
        checking = false;
      }
    };
    void check(); // a stop recorded before the generation began
    const timer = setInterval(check, this.pollMs);
    timer.unref();
    return {
      signal: controller.signal,
      dispose: () => {
        clearInterval(timer);
        if (this.local.get(key) === controller) this.local.delete(key);
      },
    };
  }
}
