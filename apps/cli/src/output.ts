import { once } from "node:events";
import { createWriteStream, renameSync, rmSync } from "node:fs";

const CHUNK_BYTES = 64 * 1024;

/**
 * Buffers lines into chunks of about 64 KiB and waits for "drain" when the stream is full, so
 * memory stays flat however much is written and however slow the reader is.
 */
export class ChunkedWriter {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  async line(text: string): Promise<void> {
    this.pending.push(text, "\n");
    this.pendingLength += text.length + 1;
    if (this.pendingLength >= CHUNK_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = this.pending.join("");
    this.pending = [];
    this.pendingLength = 0;
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }
}

/**
 * A file written under a temporary name and renamed into place only on success, so a failed
 * export never leaves a truncated file that looks complete.
 */
export class AtomicFile {
  readonly stream: NodeJS.WritableStream;
  private readonly temp: string;

  constructor(private readonly path: string) {
    this.temp = `${path}.${process.pid}.partial`;
    this.stream = createWriteStream(this.temp, { flags: "wx" });
  }

  async commit(): Promise<void> {
    const finished = once(this.stream, "finish");
    this.stream.end();
    await finished;
    renameSync(this.temp, this.path);
  }

  async discard(): Promise<void> {
    const closed = once(this.stream, "close").catch(() => undefined);
    this.stream.end();
    await closed;
    rmSync(this.temp, { force: true });
  }
}

/** Periodic counts on stderr for long runs, only when a person is watching it. */
export class Progress {
  private shown = false;
  private readonly enabled: boolean;

  constructor(
    private readonly stderr: NodeJS.WriteStream,
    private readonly label: string,
    private readonly every = 10_000,
  ) {
    this.enabled = stderr.isTTY === true;
  }

  count(done: number): void {
    if (!this.enabled || done % this.every !== 0) return;
    this.stderr.write(`\r${this.label}: ${done.toLocaleString("en-US")} events`);
    this.shown = true;
  }

  end(): void {
    if (this.shown) this.stderr.write("\r\x1b[K");
    this.shown = false;
  }
}
