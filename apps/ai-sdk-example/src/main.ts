// An AI SDK app with its own chat route, persisted by @chatlog/ai-sdk: POST /api/chat answers
// useChat's DefaultChatTransport with a streamed reply from an offline model, stored exactly
// once per user message id; GET /api/chat/{id}/messages loads the conversation as UIMessages.
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { dirname, resolve } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { openDatabase, printableDatabaseUrl, resolveDatabaseTarget } from "@chatlog/connect";
import { offlineModel } from "./offline-model.ts";
import { getMessages, postChat } from "./routes.ts";

const here = dirname(fileURLToPath(import.meta.url));
// DATABASE_URL (any driver: a Postgres or libSQL URL, or a file, with CHATLOG_DRIVER and
// DATABASE_AUTH_TOKEN as every chatlog app reads them), else the file CHAT_DB names, else
// data/chat.db in this folder.
const { DATABASE_URL, CHAT_DB, CHATLOG_DRIVER, DATABASE_AUTH_TOKEN } = process.env;
const file = resolve(CHAT_DB ?? resolve(here, "../data/chat.db"));
if (!DATABASE_URL) mkdirSync(dirname(file), { recursive: true });
const target = resolveDatabaseTarget({
  url: DATABASE_URL || `file:${file}`,
  driver: CHATLOG_DRIVER,
  authToken: DATABASE_AUTH_TOKEN,
});
const repo = await openDatabase(target);
const where = target.file ?? printableDatabaseUrl(target.url);
const model = offlineModel(Number(process.env.OFFLINE_DELAY_MS ?? 20));

async function route(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (request.method === "POST" && url.pathname === "/api/chat") return postChat(repo, model, request);
  const messages = /^\/api\/chat\/([^/]+)\/messages$/.exec(url.pathname);
  if (request.method === "GET" && messages) return getMessages(repo, decodeURIComponent(messages[1]!), url);
  return Response.json({ error: { code: "NOT_FOUND", message: "no such route" } }, { status: 404 });
}

/** node:http to the fetch API's Request/Response, and back. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method ?? "GET",
    headers: req.headers as Record<string, string>,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
  });
  const response = await route(request).catch((error: unknown) => {
    console.error(error);
    return Response.json({ error: { code: "INTERNAL", message: "internal error" } }, { status: 500 });
  });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body === null) return void res.end();
  // A client that goes away stops only its copy of the stream; the reply is still stored.
  Readable.fromWeb(response.body as import("node:stream/web").ReadableStream)
    .on("error", () => res.end())
    .pipe(res);
}

const server = createServer((req, res) => void handle(req, res));
server.listen(Number(process.env.PORT ?? 3100), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`ai-sdk example listening on http://127.0.0.1:${port} (database ${where})`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void repo.close().then(() => process.exit(0));
  });
}
