import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { FailureSpec, HranaControl, HranaStats } from "./control.ts";
import { type PipelineRequestBody, type PipelineResponseBody, ProtocolError, StreamError } from "./proto.ts";
import { handleRequest } from "./requests.ts";
import { StreamTable } from "./streams.ts";

export interface HranaServerOptions {
  /** The SQLite file to serve (created if missing; switched to WAL). */
  file: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** When set, every pipeline request must carry `Authorization: Bearer <authToken>`. */
  authToken?: string;
  /** Simulated latency per pipeline request, in ms (default 0). */
  delayMs?: number;
  /** How long a statement waits for another stream's lock before SQLITE_BUSY (default 5000). */
  busyTimeoutMs?: number;
  /** How long an idle stream (one holding a baton) lives (default 10000, as sqld). */
  streamExpiryMs?: number;
}

export interface HranaServer extends HranaControl {
  readonly port: number;
  /** Stops listening, drops open connections and held requests, closes every stream. */
  close(): Promise<void>;
}

const ADMIN = "/__admin/";

/**
 * Starts a Hrana-over-HTTP server (the protocol sqld and Turso speak) on a local SQLite file,
 * for tests: @libsql/client connects to its URL exactly as to a remote database.
 */
export async function startHranaServer(options: HranaServerOptions): Promise<HranaServer> {
  const streams = new StreamTable({
    file: options.file,
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    expiryMs: options.streamExpiryMs ?? 10_000,
  });
  // WAL once for the file, as sqld keeps it; every stream connection then shares it.
  const setup = streams.acquire(null);
  await setup.conn?.execute({ sql: "PRAGMA journal_mode = WAL", args: [], wantRows: true });
  streams.closeStream(setup);
  streams.release(setup);

  const stats: HranaStats = { pipelines: 0, requests: {}, unauthorized: 0, openStreams: 0 };
  let delayMs = options.delayMs ?? 0;
  const failures: Required<FailureSpec>[] = [];
  let hang = 0;
  const held = new Set<ServerResponse>();

  const control = {
    async stats(): Promise<HranaStats> {
      return { ...stats, requests: { ...stats.requests }, openStreams: streams.openStreams };
    },
    async resetStats(): Promise<void> {
      stats.pipelines = 0;
      stats.requests = {};
      stats.unauthorized = 0;
    },
    async setDelay(ms: number): Promise<void> {
      delayMs = Math.max(0, ms);
    },
    async failNext(spec: FailureSpec): Promise<void> {
      for (let i = 0; i < spec.count; i++) {
        failures.push({ count: 1, status: spec.status ?? 503, phase: spec.phase ?? "before" });
      }
    },
    async hangNext(count: number): Promise<void> {
      hang += count;
    },
  };

  async function pipeline(req: IncomingMessage, res: ServerResponse, version: 2 | 3): Promise<void> {
    stats.pipelines += 1;
    if (!authorized(req, res)) {
      stats.unauthorized += 1;
      return;
    }
    const body = await readBody(req);
    if (delayMs > 0) await sleep(delayMs);
    if (hang > 0) {
      hang -= 1;
      held.add(res);
      return;
    }
    const failure = failures.shift();
    if (failure?.phase === "before") return text(res, failure.status, "injected failure");
    let parsed: PipelineRequestBody;
    try {
      parsed = JSON.parse(body) as PipelineRequestBody;
      if (!Array.isArray(parsed?.requests)) throw new Error("missing field `requests`");
    } catch (error) {
      return text(res, 400, `Cannot deserialize client message from JSON: ${(error as Error).message}`);
    }
    let answer: PipelineResponseBody;
    try {
      const stream = streams.acquire(parsed.baton);
      try {
        const results = [];
        for (const request of parsed.requests) {
          const type = String(request?.type);
          stats.requests[type] = (stats.requests[type] ?? 0) + 1;
          results.push(await handleRequest(streams, stream, request, version));
        }
        answer = { baton: streams.release(stream), base_url: null, results };
      } catch (error) {
        // A request that broke the protocol ends its stream, as in sqld.
        streams.closeStream(stream);
        streams.release(stream);
        throw error;
      }
    } catch (error) {
      if (error instanceof StreamError) return json(res, 400, { message: error.message, code: error.code });
      if (error instanceof ProtocolError) return text(res, 400, error.message);
      return text(res, 500, `Internal server error: ${(error as Error).message}`);
    }
    if (failure?.phase === "after") return text(res, failure.status, "injected failure after commit");
    json(res, 200, answer);
  }

  function authorized(req: IncomingMessage, res: ServerResponse): boolean {
    if (options.authToken === undefined) return true;
    const header = req.headers.authorization;
    if (header === undefined) {
      json(res, 401, {
        message: "Authentication is required but no JWT was specified",
        code: "AUTH_JWT_MISSING",
      });
      return false;
    }
    const match = /^Bearer (.+)$/i.exec(header);
    if (match === null) {
      json(res, 401, {
        message: "The authentication scheme in the `Authorization` HTTP header is not supported",
        code: "AUTH_HTTP_HEADER_UNSUPPORTED_SCHEME",
      });
      return false;
    }
    if (match[1] !== options.authToken) {
      json(res, 401, { message: "The JWT is invalid", code: "AUTH_JWT_INVALID" });
      return false;
    }
    return true;
  }

  async function admin(req: IncomingMessage, res: ServerResponse, action: string): Promise<void> {
    const body = req.method === "POST" ? JSON.parse((await readBody(req)) || "{}") : {};
    switch (action) {
      case "stats":
        return json(res, 200, await control.stats());
      case "reset":
        await control.resetStats();
        return json(res, 200, {});
      case "delay":
        await control.setDelay(Number(body.ms ?? 0));
        return json(res, 200, {});
      case "fail":
        await control.failNext(body as FailureSpec);
        return json(res, 200, {});
      case "hang":
        await control.hangNext(Number(body.count ?? 1));
        return json(res, 200, {});
      default:
        return text(res, 404, "unknown admin action");
    }
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const handle = async () => {
      if (req.method === "POST" && path === "/v2/pipeline") return pipeline(req, res, 2);
      if (req.method === "POST" && path === "/v3/pipeline") return pipeline(req, res, 3);
      if (req.method === "GET" && (path === "/v2" || path === "/v3")) return text(res, 200, "");
      if (req.method === "GET" && path === "/health") return text(res, 200, "");
      if (req.method === "GET" && path === "/") {
        return text(res, 200, "Hello, this is HTTP API v2 (Hrana over HTTP)");
      }
      if (path.startsWith(ADMIN)) return admin(req, res, path.slice(ADMIN.length));
      return text(res, 404, "not found");
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) text(res, 500, `Internal server error: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";

  return {
    ...control,
    url: `http://${host}:${port}`,
    file: options.file,
    port,
    async close() {
      for (const res of held) res.destroy();
      held.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      streams.closeAll();
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain" }).end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
