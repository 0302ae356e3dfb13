import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { type HranaServer, type HranaServerOptions, startHranaServer } from "../src/index.ts";

/** A server on a brand-new file in its own temp dir; `dispose` closes it and removes the dir. */
export async function freshServer(
  options: Omit<HranaServerOptions, "file"> = {},
): Promise<HranaServer & { dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "hrana-test-"));
  const server = await startHranaServer({ ...options, file: join(dir, "db.sqlite") });
  return Object.assign(server, {
    async dispose() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** A `server(options)` for the tests of one file: each one started is disposed after its test. */
export function serversPerTest() {
  const started: { dispose(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.dispose();
  });
  return async (options: Parameters<typeof freshServer>[0] = {}) => {
    const s = await freshServer(options);
    started.push(s);
    return s;
  };
}

/** A decoded JSON answer, read loosely: tests index into it freely. */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked by the assertions that read it
export type Wire = any;

/** One raw pipeline request, for what @libsql/client never sends (v3 requests, bad batons). */
export async function pipeline(
  url: string,
  body: unknown,
  version: 2 | 3 = 2,
): Promise<{ status: number; body: Wire; text: string }> {
  const response = await fetch(`${url}/v${version}/pipeline`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a text/plain protocol error
  }
  return { status: response.status, body: parsed, text };
}
