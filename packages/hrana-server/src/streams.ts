import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Connection } from "./connection.ts";
import { ProtocolError, StreamError } from "./proto.ts";

/** One Hrana stream: a connection of its own, its stored SQL texts, and its baton sequence. */
export interface Stream {
  readonly id: string;
  seq: number;
  /** Null once a `close` request closed it. */
  conn: Connection | null;
  readonly sqls: Map<number, string>;
  acquired: boolean;
  expiry: NodeJS.Timeout | null;
}

export interface StreamTableOptions {
  file: string;
  busyTimeoutMs: number;
  /** How long a released stream lives without a request (sqld: 10 s). */
  expiryMs: number;
}

const IDLE_CONNECTIONS = 8;
const REMEMBERED_EXPIRED = 10_000;

/**
 * The server's streams. A request without a baton opens a new stream; a stream left open at the
 * end of a request gets a baton (the stream id and a sequence number, signed by this server),
 * and the next request on it must present exactly that baton: a reused or forged baton is a
 * protocol error, a stream unused for `expiryMs` is rolled back and closed, and its baton then
 * reports "expired". Connections of closed streams are kept for reuse (in autocommit state).
 */
export class StreamTable {
  private readonly streams = new Map<string, Stream>();
  private readonly expired = new Set<string>();
  private readonly idle: Connection[] = [];
  private readonly key = randomBytes(32);
  private nextId = 1;

  constructor(private readonly options: StreamTableOptions) {}

  get openStreams(): number {
    return this.streams.size;
  }

  acquire(baton: string | null | undefined): Stream {
    if (baton === null || baton === undefined) {
      const stream: Stream = {
        id: String(this.nextId++),
        seq: 0,
        conn: this.idle.pop() ?? new Connection(this.options.file, this.options.busyTimeoutMs),
        sqls: new Map(),
        acquired: true,
        expiry: null,
      };
      this.streams.set(stream.id, stream);
      return stream;
    }
    const { id, seq } = this.decodeBaton(baton);
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (this.expired.has(id)) {
        throw new StreamError("The stream has expired due to inactivity", "STREAM_EXPIRED");
      }
      throw new ProtocolError("Received an invalid baton");
    }
    if (stream.acquired || stream.seq !== seq) {
      throw new ProtocolError("Received a baton that has already been used");
    }
    if (stream.expiry !== null) clearTimeout(stream.expiry);
    stream.expiry = null;
    stream.acquired = true;
    return stream;
  }

  /** Ends a request on `stream`: the baton for the next one, or null when it was closed. */
  release(stream: Stream): string | null {
    stream.acquired = false;
    if (stream.conn === null) {
      this.streams.delete(stream.id);
      return null;
    }
    stream.seq += 1;
    stream.expiry = setTimeout(() => this.expire(stream), this.options.expiryMs);
    stream.expiry.unref();
    return this.encodeBaton(stream.id, stream.seq);
  }

  /** The `close` request: rolls back what the stream left open and frees its connection. */
  closeStream(stream: Stream): void {
    const conn = stream.conn;
    stream.conn = null;
    if (conn === null) return;
    conn.rollback();
    if (this.idle.length < IDLE_CONNECTIONS) this.idle.push(conn);
    else conn.close();
  }

  /** Closes every stream and connection (server shutdown). */
  closeAll(): void {
    for (const stream of this.streams.values()) {
      if (stream.expiry !== null) clearTimeout(stream.expiry);
      stream.conn?.close();
      stream.conn = null;
    }
    this.streams.clear();
    for (const conn of this.idle.splice(0)) conn.close();
  }

  private expire(stream: Stream): void {
    if (stream.acquired || !this.streams.has(stream.id)) return;
    this.streams.delete(stream.id);
    stream.conn?.close();
    stream.conn = null;
    if (this.expired.size >= REMEMBERED_EXPIRED) this.expired.clear();
    this.expired.add(stream.id);
  }

  private mac(payload: string): Buffer {
    return createHmac("sha256", this.key).update(payload).digest();
  }

  private encodeBaton(id: string, seq: number): string {
    const payload = `${id}.${seq}`;
    return `${Buffer.from(payload).toString("base64url")}.${this.mac(payload).toString("base64url")}`;
  }

  private decodeBaton(baton: string): { id: string; seq: number } {
    const [encoded, mac] = String(baton).split(".");
    const payload = Buffer.from(encoded ?? "", "base64url").toString();
    const expected = this.mac(payload);
    const given = Buffer.from(mac ?? "", "base64url");
    const [id, seq] = payload.split(".");
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || !id || !seq) {
      throw new ProtocolError("Received an invalid baton");
    }
    return { id, seq: Number(seq) };
  }
}
