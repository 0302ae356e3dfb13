import { Worker } from "node:worker_threads";

/**
 * Commits between two checkpoint requests. Small enough that a checkpoint usually finds every
 * frame copied and the next write restarts the WAL from its start (so it stays a few hundred
 * KB), large enough that the request (one postMessage) costs nothing per commit.
 */
const COMMITS_PER_CHECKPOINT = 64;

/**
 * The connection's own automatic checkpoint, kept as a safety net: it only fires if the
 * background one falls this far behind (or has died), so the WAL stays bounded either way.
 * SQLite's default is 1000 pages (4 MB); this is 16 MB.
 */
export const SAFETY_NET_CHECKPOINT_PAGES = 4000;

/**
 * The worker's whole program (CommonJS, run with `eval`, so it needs no file of its own to
 * resolve in source, built and bundled layouts alike). It opens its own connection to the file
 * with the same native binding as the writer and runs a PASSIVE checkpoint per request: one that
 * never waits for, nor blocks, a writer or reader (a checkpoint already running elsewhere makes
 * it return at once; the next request catches up).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.nativeModule);
const db = new Database(workerData.file);
db.exec("PRAGMA busy_timeout = 0");
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch {
    // Another connection's checkpoint was running: the next request catches up.
  }
  parentPort.postMessage("done");
});
`;

/**
 * Checkpoints a WAL database from a worker thread, off the writer's thread.
 *
 * Why: on a synchronous binding the connection's automatic checkpoint runs inside the commit
 * that crosses the threshold, and a checkpoint ends with two fsyncs (the WAL, then the database
 * file). Every so many appends, one awaited append (and the whole event loop with it: every
 * stream, every health check) stood still for those fsyncs; on this machine's disk that was about
 * a tenth of an awaited append's wall time. A checkpoint on another connection in another thread
 * does the same work without stopping the writer: SQLite lets a PASSIVE checkpoint run beside
 * writers, and the writer restarts the WAL once a checkpoint has copied everything.
 *
 * Durability is unchanged: with synchronous=NORMAL a commit was never fsynced; a checkpoint is
 * where the database file is, wherever it runs. The worker starts at the first request (a
 * repository that writes little never starts one), never keeps the process alive, and stops with
 * the repository. If it fails, the connection's own automatic checkpoint, kept at
 * SAFETY_NET_CHECKPOINT_PAGES, takes over.
 */
export class BackgroundCheckpointer {
  private worker: Worker | null = null;
  private commits = 0;
  private running = false;
  private failed = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly file: string,
    /** The absolute path of the native binding's module (better-sqlite3 or libsql). */
    private readonly nativeModule: string,
  ) {}

  /** Counts a commit of the writer's connection; every few, asks the worker for a checkpoint. */
  noteCommit(): void {
    if (++this.commits < COMMITS_PER_CHECKPOINT || this.running || this.failed || this.closed) return;
    this.commits = 0;
    this.request();
  }

  /** Resolves once no checkpoint is running. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the worker (after the checkpoint it may be running) and closes its connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (worker === null) return;
    await new Promise<void>((resolve) => {
      worker.once("exit", () => resolve());
      // Kept alive until it has closed its connection, even if nothing else is left to run.
      worker.ref();
      worker.postMessage("close");
    });
    this.settle();
  }

  private request(): void {
    const worker = this.worker ?? this.start();
    if (worker === null) return;
    this.running = true;
    worker.postMessage("checkpoint");
  }

  private start(): Worker | null {
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { file: this.file, nativeModule: this.nativeModule },
        // The worker runs plain CommonJS: the parent's loader flags (tsx, conditions) are not
        // needed there and would only slow its start.
        execArgv: [],
      });
      worker.on("message", () => this.settle());
      // A worker that cannot open the file or dies leaves the writer to the connection's own
      // automatic checkpoint; nothing is lost and nothing is thrown at the writer.
      worker.on("error", () => this.fail());
      worker.on("exit", () => {
        if (!this.closed) this.fail();
      });
      // After the listeners: adding a message listener refs the worker again.
      worker.unref();
      this.worker = worker;
      return worker;
    } catch {
      this.fail();
      return null;
    }
  }

  private fail(): void {
    this.failed = true;
    this.worker = null;
    this.settle();
  }

  private settle(): void {
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
