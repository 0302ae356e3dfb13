// Plain Node, plain ESM, the installed tarballs only: opens a repository with each driver on a
// new file (migrations run on open), appends, replays a duplicate request id, reads the history
// back, closes, reopens, saves and loads a UIMessage, and prints one JSON report for the test.
import { join } from "node:path";
import { loadUIMessages, saveUIMessage } from "@chatlog/ai-sdk";
import { openChatRepository as openBetterSqlite3 } from "@chatlog/better-sqlite3";
import { assistantReplyKey } from "@chatlog/core";
import { openChatRepository as openLibsql } from "@chatlog/libsql";
import { migrationsFolder } from "@chatlog/schema";

const dir = process.argv[2];
const drivers = {
  "better-sqlite3": () => openBetterSqlite3({ path: join(dir, "better-sqlite3.db") }),
  libsql: () => openLibsql({ url: `file:${join(dir, "libsql.db")}` }),
};

const report = { migrationsFolder, drivers: {} };
for (const [name, open] of Object.entries(drivers)) {
  const repo = await open();
  const stored = await repo.handleUserMessagePersistence("conv-1", "Hello!", "req-1");
  const replayed = await repo.handleUserMessagePersistence("conv-1", "Hello!", "req-1");
  const reply = {
    conversationId: "conv-1",
    type: "assistant_message",
    role: "assistant",
    content: "Hi!",
    extra: { request_id: assistantReplyKey("req-1") },
  };
  const first = await repo.addEvent(reply);
  const again = await repo.addEvent(reply);
  const llm = await repo.buildLlmConversation("conv-1", "What next?", "You are helpful.");
  await repo.close();

  const reopened = await open();
  const events = await reopened.getEvents("conv-1");
  // @chatlog/ai-sdk on the same repository: a UIMessage saved twice is stored once.
  const uiMessage = { id: "ui-1", role: "user", parts: [{ type: "text", text: "From the UI" }] };
  const uiSaved = [
    await saveUIMessage(reopened, "chat-ui", uiMessage),
    await saveUIMessage(reopened, "chat-ui", uiMessage),
  ];
  const uiPage = await loadUIMessages(reopened, "chat-ui");
  await reopened.close();
  report.drivers[name] = {
    stored,
    replayed,
    firstAdded: first.added,
    againAdded: again.added,
    sameEvent: first.event.id === again.event.id,
    events: events.map((e) => ({ seq: e.seq, type: e.type, content: e.content })),
    llm: llm.map((m) => ({ role: m.role, content: m.content })),
    uiSaved: uiSaved.map((r) => r.added),
    uiMessages: uiPage.messages.map(({ id, role, parts }) => ({ id, role, parts })),
  };
}
console.log(JSON.stringify(report));
