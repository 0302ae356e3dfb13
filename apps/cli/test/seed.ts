import { openChatRepository as openBetterSqlite3 } from "@chatlog/better-sqlite3";
import type { ChatEvent, ChatRepository, NewChatEvent } from "@chatlog/core";
import { openChatRepository as openLibsql } from "@chatlog/libsql";

export type DriverName = "better-sqlite3" | "libsql";

/** Opens a database file in the test process through the named driver (quiet about corrupt rows). */
export function openFile(driver: DriverName, path: string): Promise<ChatRepository> {
  const quiet = { onCorruptRow: () => undefined };
  return driver === "libsql"
    ? openLibsql({ url: `file:${path}`, ...quiet })
    : openBetterSqlite3({ path, ...quiet });
}

/** Stores `events` (as `owner` when given, whose conversations they then become). */
export async function seed(
  driver: DriverName,
  path: string,
  events: NewChatEvent[],
  owner?: string,
): Promise<void> {
  const repo = await openFile(driver, path);
  try {
    const writer = owner === undefined ? repo : repo.forOwner(owner);
    for (const event of events) await writer.addEvent(event);
  } finally {
    await repo.close();
  }
}

/** Every stored event, conversation by conversation (sorted by id), each in seq order. */
export async function dump(driver: DriverName, path: string): Promise<ChatEvent[]> {
  const repo = await openFile(driver, path);
  try {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await repo.listConversations({ limit: 1000, cursor });
      ids.push(...page.conversations.map((c) => c.conversationId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const events: ChatEvent[] = [];
    for (const id of ids.sort()) events.push(...(await repo.getEvents(id)));
    return events;
  } finally {
    await repo.close();
  }
}

const at = (iso: string) => new Date(iso);

/** Events whose fields are easy to lose on the way through a file: every shape content and raw take. */
export const TRICKY_EVENTS: NewChatEvent[] = [
  {
    conversationId: "c-tricky",
    type: "user_message",
    role: "user",
    content: "[1, 2, 3]",
    extra: { request_id: "req-1" },
    createdAt: at("2025-03-01T10:00:00.123Z"),
  },
  {
    conversationId: "c-tricky",
    type: "tool_call",
    role: "assistant",
    content: null,
    toolCalls: [{ id: "call_a", name: "lookup", arguments: { q: "x", n: [1, null, 2.5] } }],
    usage: { inputTokens: 5, outputTokens: 7 },
    tokenCount: 12,
    provider: "openai",
    model: "gpt-4o",
    stopReason: "tool_calls",
    extra: { user_request_id: "req-1" },
    createdAt: at("2025-03-01T10:00:01.001Z"),
  },
  {
    conversationId: "c-tricky",
    type: "tool_result",
    role: "tool",
    content: '{"ok":true}',
    extra: { tool_call_id: "call_a" },
    raw: 0,
    createdAt: at("2025-03-01T10:00:01.002Z"),
  },
  {
    conversationId: "c-tricky",
    type: "assistant_message",
    role: "assistant",
    content: [
      { type: "text", text: "hello" },
      { type: "image", url: "https://example.invalid/x.png" },
      { type: "text", text: "world" },
    ],
    raw: {},
    extra: { request_id: "assistant:req-1", user_request_id: "req-1" },
    createdAt: at("2025-03-01T10:00:02.999Z"),
  },
  {
    conversationId: "c-tricky",
    type: "system_update",
    role: "system",
    content: "User timezone is Europe/Paris",
    extra: { visible_to_model: true },
    raw: [],
    createdAt: at("2025-03-01T10:00:03.000Z"),
  },
  {
    conversationId: "c-tricky",
    type: "meta",
    role: null,
    content: null,
    extra: { kind: "note", nested: { a: [1, { b: null }], t: true } },
    raw: false,
    createdAt: at("2025-03-01T10:00:03.000Z"),
  },
  {
    conversationId: "c-tricky",
    type: "user_message",
    role: "user",
    content: "",
    raw: "",
    createdAt: at("2025-03-01T10:00:04.500Z"),
  },
  {
    conversationId: "c-tricky",
    type: "assistant_message",
    role: "assistant",
    content: 'unicode ✓ \u2028 "quoted"\nsecond line\ttab 🚀',
    raw: { provider_payload: { id: "x", choices: [] } },
    createdAt: at("2025-03-01T10:00:05.007Z"),
  },
  {
    conversationId: "c-other",
    type: "user_message",
    role: "user",
    content: "hi",
    createdAt: at("2024-12-31T23:59:59.999Z"),
  },
  {
    conversationId: "c-other",
    type: "assistant_message",
    role: "assistant",
    content: "hello there",
    createdAt: at("2025-01-01T00:00:00.000Z"),
  },
];

/** A small conversation with a tool round trip, for the transcript and command tests. */
export function turn(conversationId: string, startIso: string): NewChatEvent[] {
  const t = Date.parse(startIso);
  return [
    {
      conversationId,
      type: "user_message",
      role: "user",
      content: "What's the weather in Paris?",
      createdAt: new Date(t),
    },
    {
      conversationId,
      type: "tool_call",
      role: "assistant",
      toolCalls: [{ id: `call-${conversationId}`, name: "get_weather", arguments: { city: "Paris" } }],
      createdAt: new Date(t + 1000),
    },
    {
      conversationId,
      type: "tool_result",
      role: "tool",
      content: '{"temp_c":18}',
      extra: { tool_call_id: `call-${conversationId}` },
      createdAt: new Date(t + 2000),
    },
    {
      conversationId,
      type: "assistant_message",
      role: "assistant",
      content: [
        { type: "text", text: "It is 18°C" },
        { type: "text", text: "in Paris." },
      ],
      model: "offline-model",
      createdAt: new Date(t + 3000),
    },
  ];
}
