import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields
  json(): any;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as given, Host and Origin included (fetch would refuse or rewrite those). */
  headers?: Record<string, string>;
  body?: string | Buffer | undefined;
}

/** One HTTP/1.1 request through node:http, so a test can forge any header a browser sends. */
export function rawRequest(baseUrl: string, path: string, init: RawRequest = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port,
        path,
        method: init.method ?? "GET",
        headers: init.headers ?? {},
        setHost: !Object.keys(init.headers ?? {}).some((name) => name.toLowerCase() === "host"),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}
