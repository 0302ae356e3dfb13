// A tour of chatlog: a turn with a tool call, a retried request recognised, a streamed reply
// compacted, and the message list the model would receive. Run it twice: the second run finds
// everything already stored. Any driver: an embedded SQLite file by default, or the database
// CHATLOG_EXAMPLE_DB names (a Postgres or libSQL URL included), opened as every app opens it.
import {
  defaultDatabaseFile,
  invocationDir,
  openDatabase,
  printableDatabaseUrl,
  resolveDatabaseTarget,
} from "@chatlog/connect";

// CHATLOG_EXAMPLE_DB (a path or URL, with CHATLOG_DRIVER and DATABASE_AUTH_TOKEN as the server
// reads them) if set, else its own file, example.db beside chatlog.db in the data directory.
// Never DATABASE_URL: the tour writes a demo conversation ("example-weather"), and a DATABASE_URL
// exported for the server names the app's real database, which a demo must not write into.
const { CHATLOG_EXAMPLE_DB, CHATLOG_DRIVER, DATABASE_AUTH_TOKEN } = process.env;
const target = resolveDatabaseTarget({
  url: CHATLOG_EXAMPLE_DB || `file:${defaultDatabaseFile(process.env, process.cwd(), "example.db")}`,
  driver: CHATLOG_DRIVER,
  authToken: DATABASE_AUTH_TOKEN,
  baseDir: invocationDir(),
});
const repo = await openDatabase(target);
const conversationId = "example-weather";
const say = (label: string, value: unknown) => console.log(`${label.padEnd(34)} ${JSON.stringify(value)}`);

console.log(`chatlog example — database ${target.file ?? printableDatabaseUrl(target.url)}\n`);

// Turn 1: the user asks; the assistant calls a tool, gets its result, answers.
say(
  "user message stored now?",
  await repo.handleUserMessagePersistence(conversationId, "Weather in Paris?", "req-1"),
);
await repo.addEvent({
  conversationId,
  type: "tool_call",
  role: "assistant",
  toolCalls: [{ id: "call-1", name: "get_weather", arguments: { city: "Paris" } }],
  extra: { request_id: "req-1:call", user_request_id: "req-1" },
});
await repo.addEvent({
  conversationId,
  type: "tool_result",
  role: "tool",
  content: '{"temp_c":18,"sky":"cloudy"}',
  extra: { request_id: "req-1:result", tool_call_id: "call-1", user_request_id: "req-1" },
});
const answer = await repo.persistAssistantMessage(
  conversationId,
  "req-1",
  "18°C and cloudy in Paris.",
  "offline",
);
say("assistant reply seq", answer.seq);

// The client retries request 1 (a timeout on its side): recognised, nothing stored twice.
say(
  "retry of req-1 stored again?",
  await repo.handleUserMessagePersistence(conversationId, "Weather in Paris?", "req-1"),
);
say("cached reply for req-1", (await repo.getExistingAssistantResponse(conversationId, "req-1"))?.content);

// Turn 2: a streamed reply; each delta is persisted as it arrives, then compacted into one message.
await repo.handleUserMessagePersistence(conversationId, "And tomorrow?", "req-2");
const deltas = ["Tomorrow ", "looks ", "sunny, ", "22°C."];
await Promise.all(
  deltas.map((text) =>
    repo.addEvent({
      conversationId,
      type: "meta",
      role: "assistant",
      content: text,
      extra: { kind: "assistant_delta", user_request_id: "req-2" },
    }),
  ),
);
const final = await repo.compactDeltas(conversationId, "req-2", deltas.join(""), "offline");
say("compacted reply", { seq: final.seq, content: final.content });

const events = await repo.getEvents(conversationId);
say(
  "events in the log (seq:type)",
  events.map((e) => `${e.seq}:${e.type}`),
);

const messages = await repo.buildLlmConversation(conversationId, "Thanks!", "You are a weather assistant.");
console.log("\nmessages the model would receive next:");
for (const message of messages) console.log(`  ${JSON.stringify(message)}`);

await repo.close();
