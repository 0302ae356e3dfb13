import {
  type AddEventResult,
  ASSISTANT_DELTA_KIND,
  assertClientRequestId,
  assertContent,
  assertId,
  assertTitle,
  assertTurnRequestId,
  assistantReplyKey,
  type BuildLlmConversationOptions,
  buildLlmMessages,
  type ChatEvent,
  ChatlogError,
  type Content,
  type ConversationPage,
  type ConversationSummary,
  type GetEventsOptions,
  type HistoryOptions,
  isChatlogError,
  type JsonObject,
  type ListConversationsOptions,
  type LlmMessage,
  MAX_SEQ,
  type NewChatEvent,
  requestIdOf,
  TITLE_MAX_CHARS,
  type ValidEvent,
  validateEvent,
} from "@chatlog/core";
import type { Row, Statement, Step } from "./executor.ts";
import {
  DEFAULT_LIST_PAGE,
  decodeListCursor,
  encodeListCursor,
  eventRange,
  limitOf,
  MAX_LIST_PAGE,
} from "./paging.ts";
import { adminOnly, attemptOf, dateOf, RepositoryPart } from "./repository-part.ts";
import { decodeRow, encodeEvent, storedEvent } from "./row-codec.ts";

/**
 * Events and history: appends (exactly once by id and request id), user messages and replies of
 * a turn, compaction, and every read of a conversation's events.
 */
export class EventStore extends RepositoryPart {
  async addEvent(input: NewChatEvent): Promise<AddEventResult> {
    this.ensureOpen();
    const event = validateEvent(input);
    // A user message's key is always a client's: it may not take one of chatlog's own keys.
    const key = requestIdOf(event);
    if (event.type === "user_message" && key !== null) assertClientRequestId(key, "extra.request_id");
    const append: Step = { statement: this.sql.append, args: encodeEvent(event) };
    if (this.executor.remote) {
      // One round trip even for a duplicate: the lookup rides in the append's batch.
      const [inserted, existing] = await this.appending(
        event.conversationId,
        [append, this.duplicateLookup(event)],
        { create: true },
      );
      const seq = inserted?.[0]?.seq;
      if (typeof seq === "number") return { added: true, event: storedEvent(event, seq) };
      return { added: false, event: this.storedDuplicate(event, existing ?? []) };
    }
    const [inserted] = await this.appending(event.conversationId, [append], { create: true });
    const seq = inserted?.[0]?.seq;
    if (typeof seq === "number") return { added: true, event: storedEvent(event, seq) };
    return { added: false, event: await this.findDuplicate(event) };
  }

  async handleUserMessagePersistence(
    conversationId: string,
    userMsg: Content,
    requestId: string,
  ): Promise<boolean> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    assertId(requestId, "requestId");
    assertClientRequestId(requestId);
    const event = validateEvent({
      conversationId,
      type: "user_message",
      role: "user",
      content: userMsg,
      extra: { request_id: requestId },
    });
    // One statement: stored only if neither this message nor a reply to it exists, so two
    // processes racing the same request id get exactly one true between them.
    // The read of what the key names rides in the same job: a retry is one round trip too.
    const [inserted, stored] = await this.appending(
      conversationId,
      [
        { statement: this.sql.appendUnanswered, args: { ...encodeEvent(event), user_request_id: requestId } },
        { statement: this.sql.byRequestId, args: { conversation_id: conversationId, request_id: requestId } },
      ],
      { create: true },
    );
    if ((inserted?.length ?? 0) > 0) return true;
    this.assertSameRequest(event, stored ?? []);
    return false;
  }

  // async (here and below) so that a closed repository or bad arguments reject the returned
  // promise instead of throwing before there is one.
  async persistAssistantMessage(
    conversationId: string,
    requestId: string,
    content: Content,
    model: string | null,
    provider: string | null = "unknown",
  ): Promise<ChatEvent> {
    this.ensureOpen();
    const reply = this.assistantReply(conversationId, requestId, content, model, provider);
    return this.writeThenRead([{ statement: this.sql.append, args: encodeEvent(reply) }], reply);
  }

  async compactDeltas(
    conversationId: string,
    userRequestId: string,
    finalContent: Content,
    model: string | null = null,
    extra: JsonObject = {},
  ): Promise<ChatEvent> {
    this.ensureOpen();
    const reply = this.assistantReply(conversationId, userRequestId, finalContent, model, null, extra);
    return this.writeThenRead(
      [
        { statement: this.sql.append, args: encodeEvent(reply) },
        {
          statement: this.sql.deleteDeltas,
          args: {
            conversation_id: conversationId,
            user_request_id: userRequestId,
            kind: ASSISTANT_DELTA_KIND,
            attempt: attemptOf(extra),
          },
        },
      ],
      reply,
    );
  }

  async getEvents(conversationId: string, opts?: GetEventsOptions): Promise<ChatEvent[]> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    const { limit, afterSeq, beforeSeq } = eventRange(opts);
    const backward = beforeSeq !== undefined && afterSeq === undefined && limit !== undefined;
    const rows = await this.read({
      statement: backward ? this.sql.eventsBackward : this.sql.eventsForward,
      args: {
        conversation_id: conversationId,
        after_seq: afterSeq ?? Number.MIN_SAFE_INTEGER,
        before_seq: beforeSeq ?? Number.MAX_SAFE_INTEGER,
        limit: limit ?? -1,
      },
    });
    return this.decodeAll(rows);
  }

  async getConversationHistory(conversationId: string, opts: HistoryOptions = {}): Promise<ChatEvent[]> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    const { limit, beforeSeq } = eventRange(opts);
    const before = beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const rows = await this.read(
      limit === undefined
        ? { statement: this.sql.historyAll, args: { conversation_id: conversationId, before_seq: before } }
        : {
            statement: this.sql.history,
            args: { conversation_id: conversationId, limit, before_seq: before },
          },
    );
    const events = this.decodeAll(rows);
    return limit === undefined && beforeSeq === undefined ? events : withoutCutOffResults(events);
  }

  async listConversations(opts: ListConversationsOptions = {}): Promise<ConversationPage> {
    this.ensureOpen();
    const limit = Math.min(limitOf(opts.limit) ?? DEFAULT_LIST_PAGE, MAX_LIST_PAGE);
    // Above any stored value, even a damaged out-of-range one, so no conversation is skipped.
    const cursor = opts.cursor ? decodeListCursor(opts.cursor) : { ms: Number.MAX_VALUE, id: "" };
    const listOwner = this.listOwner(opts.ownerId);
    const rows = await this.read({
      statement: listOwner === null ? this.sql.listConversations : this.sql.listOwnerConversations,
      args: { cursor_ms: cursor.ms, cursor_id: cursor.id, limit: limit + 1, list_owner: listOwner },
    });
    const conversations = rows.slice(0, limit).map(summaryOf);
    // The cursor holds the stored value, not the Date shown, so paging past a damaged row works.
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    const nextCursor = last
      ? encodeListCursor(Number(last.last_activity_ms), String(last.conversation_id))
      : null;
    return { conversations, nextCursor };
  }

  /** Whose conversations a list shows: the scoped user's, or the one the administrator asks for. */
  private listOwner(requested: string | undefined): string | null {
    if (requested !== undefined) assertId(requested, "ownerId");
    if (this.ownerId === null) return requested ?? null;
    if (requested !== undefined && requested !== this.ownerId)
      throw adminOnly("listing another user's conversations");
    return this.ownerId;
  }

  async getConversation(conversationId: string): Promise<ConversationSummary | null> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    const [row] = await this.read({
      statement: this.sql.conversationSummary,
      args: { conversation_id: conversationId },
    });
    return row ? summaryOf(row) : null;
  }

  async setConversationTitle(conversationId: string, title: string | null): Promise<void> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    assertTitle(title, "title");
    const [updated] = await this.writeTo(conversationId, [
      { statement: this.sql.setConversationTitle, args: { conversation_id: conversationId, title } },
    ]);
    if (!updated?.length) {
      throw new ChatlogError("NOT_FOUND", `no conversation ${conversationId}`, {
        details: { conversationId },
      });
    }
  }

  async getEventByRequestId(conversationId: string, requestId: string): Promise<ChatEvent | null> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    assertId(requestId, "requestId");
    const rows = await this.read({
      statement: this.sql.byRequestId,
      args: { conversation_id: conversationId, request_id: requestId },
    });
    return this.decodeFirst(rows);
  }

  async getLastAssistantReplyId(conversationId: string, userRequestId: string): Promise<string | null> {
    this.ensureOpen();
    const rows = await this.read(this.replyLookup(this.sql.replyIdTo, conversationId, userRequestId));
    return rows[0] ? String(rows[0].id) : null;
  }

  async getExistingAssistantResponse(conversationId: string, requestId: string): Promise<ChatEvent | null> {
    this.ensureOpen();
    return this.decodeFirst(await this.read(this.replyLookup(this.sql.replyTo, conversationId, requestId)));
  }

  async buildLlmConversation(
    conversationId: string,
    userMsg: Content,
    systemPrompt: string,
    opts: BuildLlmConversationOptions = {},
  ): Promise<LlmMessage[]> {
    assertContent(userMsg, "userMsg");
    if (typeof systemPrompt !== "string") {
      throw new ChatlogError("INVALID_ARGUMENT", "systemPrompt must be a string", {
        details: { field: "systemPrompt" },
      });
    }
    const limit = limitOf(opts.limit) ?? 50;
    const { requestId } = opts;
    // One more than asked when the current user message may be among them, since it is dropped.
    let history = await this.getConversationHistory(conversationId, { limit: requestId ? limit + 1 : limit });
    if (requestId !== undefined) {
      history = history.filter((e) => !(e.type === "user_message" && requestIdOf(e) === requestId));
      if (history.length > limit) history = history.slice(history.length - limit);
    }
    return buildLlmMessages(systemPrompt, history, userMsg);
  }

  async getTurnEvents(conversationId: string, userRequestId: string): Promise<ChatEvent[]> {
    this.ensureOpen();
    const step = this.replyLookup(this.sql.turnEvents, conversationId, userRequestId);
    return this.decodeAll(await this.read(step));
  }

  assistantReply(
    conversationId: string,
    userRequestId: string,
    content: Content,
    model: string | null,
    provider: string | null,
    more: JsonObject = {},
  ): ValidEvent {
    assertId(conversationId, "conversationId");
    assertId(userRequestId, "requestId");
    assertTurnRequestId(userRequestId);
    const extra: JsonObject = {
      ...more,
      user_request_id: userRequestId,
      request_id: assistantReplyKey(userRequestId, attemptOf(more)),
    };
    return validateEvent({
      conversationId,
      type: "assistant_message",
      role: "assistant",
      content,
      model,
      provider,
      extra,
    });
  }

  /** Runs `steps` plus a read-back of `event`'s request id as one atomic job. */
  async writeThenRead(steps: Step[], event: ValidEvent): Promise<ChatEvent> {
    const readBack: Step = {
      statement: this.sql.byRequestId,
      args: { conversation_id: event.conversationId, request_id: requestIdOf(event) },
    };
    const results = await this.appending(event.conversationId, [...steps, readBack], { create: true });
    const stored = this.decodeFirst(results.at(-1) ?? []);
    if (stored === null) throw new ChatlogError("STORAGE_ERROR", "the stored event could not be read back");
    return stored;
  }

  /**
   * A user message that was not stored is a retry only if the request id already names the same
   * message. Reusing a request id for different content is a client bug that would otherwise
   * replay the old reply to the new question: REQUEST_ID_CONFLICT. (A request answered by a
   * reply whose user message is not stored, as legacy rows can be, stays a retry.)
   */
  assertSameRequest(event: ValidEvent, stored: Row[]): void {
    const requestId = requestIdOf(event) as string;
    if (stored.length === 0) return;
    const previous = decodeRow(stored[0]!, this.onCorrupt);
    if (previous.type === "user_message" && sameContent(previous.content, event.content)) return;
    throw new ChatlogError(
      "REQUEST_ID_CONFLICT",
      `request id ${requestId} was already used in conversation ${event.conversationId} for a different ${previous.type === "user_message" ? "message" : "event"}`,
      { details: { conversationId: event.conversationId, requestId, storedEventId: previous.id } },
    );
  }

  /**
   * Submits a job that appends to `conversationId`. Past MAX_SEQ the append's seq is NULL and the
   * whole job fails (statements.ts INSERT_VALUES), writing nothing; that failure is SEQ_LIMIT,
   * told from other storage errors by the stored high-water mark rather than the driver's text.
   */
  async appending(conversationId: string, job: Step[], opts: { create?: boolean } = {}): Promise<Row[][]> {
    try {
      return await this.writeTo(conversationId, job, opts);
    } catch (error) {
      if (!isChatlogError(error, "STORAGE_ERROR") || !(await this.atSeqLimit(conversationId))) throw error;
      throw new ChatlogError(
        "SEQ_LIMIT",
        `conversation ${conversationId} has reached the highest seq (${MAX_SEQ}); nothing was written`,
        { cause: error, details: { conversationId, maxSeq: MAX_SEQ } },
      );
    }
  }

  private async atSeqLimit(conversationId: string): Promise<boolean> {
    const rows = await this.executor
      .all({ statement: this.sql.lastSeq, args: { conversation_id: conversationId } })
      .catch(() => []);
    return Number(rows[0]?.last_seq ?? 0) >= MAX_SEQ;
  }

  duplicateLookup(event: ValidEvent): Step {
    return {
      statement: this.sql.findDuplicate,
      args: { conversation_id: event.conversationId, request_id: requestIdOf(event), id: event.id },
    };
  }

  async findDuplicate(event: ValidEvent): Promise<ChatEvent> {
    return this.storedDuplicate(event, await this.read(this.duplicateLookup(event)));
  }

  storedDuplicate(event: ValidEvent, rows: Row[]): ChatEvent {
    const stored = this.decodeFirst(rows);
    if (stored === null && this.ownerId !== null) {
      // The id (or key) is taken in a conversation this user cannot see: refused, not shown.
      throw new ChatlogError("CONFLICT", `event id ${event.id} is already used; nothing was written`, {
        details: { eventId: event.id },
      });
    }
    if (stored === null) {
      throw new ChatlogError(
        "STORAGE_ERROR",
        `event ${event.id} was neither stored nor found as a duplicate`,
      );
    }
    return stored;
  }

  replyLookup(statement: Statement, conversationId: string, userRequestId: string): Step {
    assertId(conversationId, "conversationId");
    assertId(userRequestId, "userRequestId");
    return { statement, args: { conversation_id: conversationId, user_request_id: userRequestId } };
  }
}

/**
 * A window of the most recent events can begin after a tool call and before its results. Those
 * results are dropped with their call (which is outside the window), so the window never hands a
 * model a tool result without the call it answers; it then holds fewer than `limit` events.
 */
function withoutCutOffResults(events: ChatEvent[]): ChatEvent[] {
  const calls = new Set<string>();
  return events.filter((event) => {
    for (const call of event.toolCalls) calls.add(call.id);
    if (event.type !== "tool_result") return true;
    const callId = event.extra.tool_call_id;
    return typeof callId === "string" && calls.has(callId);
  });
}

/** Content equality by value: the same string, or part arrays with equal JSON (key order aside). */
function sameContent(a: Content, b: Content): boolean {
  if (typeof a === "string" || typeof b === "string" || a === null || b === null) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

/** A list title from the stored text: whitespace runs become one space, cut at TITLE_MAX_CHARS. */
function titleOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const text = value.replace(/\s+/g, " ").trim();
  if (text.length === 0) return null;
  // No more UTF-16 units than the limit means no more characters either: no need to count them.
  if (text.length <= TITLE_MAX_CHARS) return text;
  const chars = Array.from(text);
  return chars.length <= TITLE_MAX_CHARS
    ? text
    : `${chars
        .slice(0, TITLE_MAX_CHARS - 1)
        .join("")
        .trimEnd()}…`;
}

function summaryOf(row: Row): ConversationSummary {
  return {
    conversationId: String(row.conversation_id),
    createdAt: dateOf(row.created_at_ms) ?? new Date(0),
    lastActivityAt: dateOf(row.last_activity_ms) ?? new Date(0),
    eventCount: Number(row.event_count),
    // The custom title wins; the one taken from the first message is read only without it.
    title: typeof row.custom_title === "string" ? row.custom_title : titleOf(row.auto_title),
    ownerId: row.owner_id === null || row.owner_id === undefined ? null : String(row.owner_id),
  };
}
