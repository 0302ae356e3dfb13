// Plain Node, plain ESM, packages installed by name only: opens a repository with each driver
// named on the command line (`node drivers.mjs <dir> better-sqlite3 libsql`) on a new file
// (migrations run on open), appends, replays a duplicate request id, reads the history back,
// closes, reopens, saves and loads a UIMessage through @chatlog/ai-sdk, and prints one JSON
// report for the test.
import { join } from "node:path";
import { loadUIMessages, saveUIMessage } from "@chatlog/ai-sdk";

const [dir, ...driverNames] = process.argv.slice(2);
const options = {
  "better-sqlite3": { path: join(dir, "better-sqlite3.db") },
  libsql: { url: `file:${join(dir, "libsql.db")}` },
  // A new, empty database the test created on a real Postgres server.
  postgres: { connectionString: process.env.CHATLOG_INSTALL_POSTGRES_URL },
};

const UI_MESSAGES = [
  {
    id: "ui-1",
    role: "user",
    parts: [
      { type: "text", text: "From the UI" },
      {
        type: "file",
        mediaType: "image/png",
        url: "https://example.com/a.png",
        providerReference: { openai: "file-1" },
      },
    ],
  },
  {
    id: "ui-2",
    role: "assistant",
    parts: [
      { type: "step-start" },
      { type: "custom", kind: "openai.compaction", providerMetadata: { openai: { itemId: "c-1" } } },
      { type: "reasoning-file", mediaType: "image/png", url: "data:image/png;base64,iVBORw0KGgo=" },
      {
        type: "tool-deleteFile",
        toolCallId: "call-1",
        toolMetadata: { risk: "high" },
        state: "output-available",
        input: { path: "/tmp/x" },
        output: { deleted: true },
        approval: { id: "approval-1", approved: true, isAutomatic: false, signature: "hmac-of-the-call" },
      },
      { type: "text", text: "Seen.", state: "done" },
    ],
  },
];

const report = {};
for (const name of driverNames) {
  const { openChatRepository } = await import(`@chatlog/${name}`);
  const open = () => openChatRepository(options[name]);
  const repo = await open();
  const stored = await repo.handleUserMessagePersistence("conv-1", "Hello!", "req-1");
  const replayed = await repo.handleUserMessagePersistence("conv-1", "Hello!", "req-1");
  const reply = {
    conversationId: "conv-1",
    type: "assistant_message",
    role: "assistant",
    content: "Hi!",
    extra: { request_id: "reply-1" },
  };
  const first = await repo.addEvent(reply);
  const again = await repo.addEvent(reply);
  const llm = await repo.buildLlmConversation("conv-1", "What next?", "You are helpful.");
  await repo.close();

  const reopened = await open();
  const events = await reopened.getEvents("conv-1");
  // @chatlog/ai-sdk on the same repository: each UIMessage saved twice is stored once, and the
  // parts and fields AI SDK 7 added (custom, reasoning-file, a file's providerReference, a tool
  // part's toolMetadata, a signed approval) come back as sent.
  const uiSaved = [];
  for (const message of UI_MESSAGES) {
    uiSaved.push(await saveUIMessage(reopened, "chat-ui", message));
    uiSaved.push(await saveUIMessage(reopened, "chat-ui", message));
  }
  const uiPage = await loadUIMessages(reopened, "chat-ui");
  await reopened.close();
  report[name] = {
    stored,
    replayed,
    firstAdded: first.added,
    againAdded: again.added,
    sameEvent: first.event.id === again.event.id,
    events: events.map((e) => ({ seq: e.seq, type: e.type, content: e.content })),
    llm: llm.map((m) => ({ role: m.role, content: m.content })),
    uiSaved: uiSaved.map((r) => r.added),
    uiMessages: uiPage.messages.map(({ id, role, parts }) => ({ id, role, parts })),
    uiMessagesAsSent: JSON.stringify(uiPage.messages) === JSON.stringify(UI_MESSAGES),
  };
}
console.log(JSON.stringify(report));
