/** What a test can read from and do to a running Hrana server, in-process or in a child. */
export interface HranaStats {
  /** HTTP requests to a pipeline endpoint (`/v2/pipeline`, `/v3/pipeline`), answered or not. */
  pipelines: number;
  /** Stream requests inside those pipelines, by type (`execute`, `batch`, `close`, ...). */
  requests: Record<string, number>;
  /** Pipeline requests refused for a missing or wrong token. */
  unauthorized: number;
  /** Streams open now (holding a baton). */
  openStreams: number;
}

export interface FailureSpec {
  /** How many of the next pipeline requests fail. */
  count: number;
  /** The HTTP status they get (default 503). */
  status?: number;
  /**
   * "before" (default): refused without running anything. "after": run and committed, then the
   * answer is replaced by the error, the nastiest case for a client (its write landed, it was
   * told it failed).
   */
  phase?: "before" | "after";
}

export interface HranaControl {
  /** The URL to give @libsql/client (`http://127.0.0.1:PORT`). */
  readonly url: string;
  /** The database file behind it (tests read it directly to check what was stored). */
  readonly file: string;
  stats(): Promise<HranaStats>;
  resetStats(): Promise<void>;
  /** Simulated network latency: every pipeline request waits this long before it runs. */
  setDelay(ms: number): Promise<void>;
  /** The next pipeline requests answer an HTTP error instead (see FailureSpec). */
  failNext(spec: FailureSpec): Promise<void>;
  /** The next `count` pipeline requests are never answered (held until the server closes). */
  hangNext(count: number): Promise<void>;
}
