import { ChatlogError } from "@chatlog/core";
import type { Dialect } from "./dialect.ts";
import type { Job, JobOutcome, Row, SqlExecutor } from "./executor.ts";

interface Pending {
  job: Job;
  resolve: (rows: Row[][]) => void;
  reject: (error: unknown) => void;
}

/** Most jobs committed by one transaction; bounds how long one flush holds the write lock. */
const MAX_JOBS_PER_FLUSH = 512;
/**
 * Flushes that may run straight after the write that asked for them (on nextTick) in one turn of
 * the event loop; later ones wait for setImmediate. See schedule().
 */
const EAGER_FLUSHES_PER_TURN = 4;

/**
 * Group commit. Writes issued while another is being committed (a server with many streams)
 * wait for the next flush and are committed together in one transaction, in call order; each
 * job still succeeds or fails on its own, and its promise settles only after the commit.
 */
export class WriteQueue {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private eagerLeft = EAGER_FLUSHES_PER_TURN;
  private refillArmed = false;

  constructor(
    private readonly executor: SqlExecutor,
    private readonly dialect: Dialect,
  ) {}

  submit(job: Job): Promise<Row[][]> {
    return new Promise<Row[][]>((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far has been committed or has failed. */
  async drain(): Promise<void> {
    while (this.flushing !== null || this.pending.length > 0) {
      if (this.flushing === null) await this.flush();
      else await this.flushing;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.flushing !== null) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      void this.flush();
    };
    if (this.eagerLeft > 0) {
      // nextTick runs once the current burst of promise continuations has settled, so appenders
      // that resume together land in the same transaction, without a trip through the event loop.
      this.eagerLeft--;
      this.refillAtNextTurn();
      process.nextTick(run);
    } else {
      // Past a few flushes in one turn, writes are arriving from many callbacks (timers, sockets:
      // a server streaming many replies). Committing each alone costs a commit apiece, and
      // flushing on nextTick forever would never let the event loop poll for I/O, so every other
      // request (a health check among them) would wait for the writes to stop. The rest of this
      // turn's writes wait for setImmediate, after I/O, and commit together.
      setImmediate(run);
    }
  }

  private refillAtNextTurn(): void {
    if (this.refillArmed) return;
    this.refillArmed = true;
    setImmediate(() => {
      this.refillArmed = false;
      this.eagerLeft = EAGER_FLUSHES_PER_TURN;
    });
  }

  private flush(): Promise<void> {
    if (this.flushing !== null || this.pending.length === 0) return this.flushing ?? Promise.resolve();
    const batch = this.pending.splice(0, MAX_JOBS_PER_FLUSH);
    this.flushing = this.commit(batch).finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.schedule();
    });
    return this.flushing;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const only = batch.length === 1 ? batch[0] : undefined;
    if (only !== undefined && only.job.length === 1) {
      // A lone single-statement write needs no explicit transaction: autocommit is cheaper.
      try {
        only.resolve([await this.executor.all(only.job[0]!)]);
      } catch (error) {
        only.reject(this.dialect.toChatlogError(error));
      }
      return;
    }
    let outcomes: JobOutcome[];
    try {
      outcomes = await this.executor.runJobs(batch.map((p) => p.job));
    } catch (error) {
      const failure = this.dialect.toChatlogError(error);
      for (const p of batch) p.reject(failure);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined)
        p.reject(new ChatlogError("STORAGE_ERROR", "the driver returned too few results"));
      else if (outcome.ok) p.resolve(outcome.rows);
      else p.reject(this.dialect.toChatlogError(outcome.error));
    });
  }
}
