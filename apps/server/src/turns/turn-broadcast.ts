import type { TurnEvent } from "./turn-events.ts";

/**
 * The events of one turn, kept from the first, with any number of readers. A reader that joins
 * late (the same request retried while it is generating) first gets everything so far, then the
 * live events; a reader that goes away (client disconnect) changes nothing for the producer.
 */
export class TurnBroadcast {
  private readonly events: TurnEvent[] = [];
  private finished = false;
  private wake: (() => void)[] = [];

  get isFinished(): boolean {
    return this.finished;
  }

  push(event: TurnEvent): void {
    if (this.finished) return;
    this.events.push(event);
    this.notify();
  }

  /** No more events; readers end after the ones already pushed. */
  finish(): void {
    this.finished = true;
    this.notify();
  }

  private notify(): void {
    const waiting = this.wake;
    this.wake = [];
    for (const resolve of waiting) resolve();
  }

  async *subscribe(): AsyncGenerator<TurnEvent, void, undefined> {
    let next = 0;
    for (;;) {
      while (next < this.events.length) yield this.events[next++]!;
      if (this.finished) return;
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }
}
