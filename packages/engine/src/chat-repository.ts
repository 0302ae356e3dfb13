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
  type ChatRepository,
  type ClaimTurnInput,
  type ClaimTurnResult,
  type Content,
  type ConversationPage,
  type ConversationSummary,
  type DeleteConversationResult,
  type GetEventsOptions,
  type HeldAppendResult,
  type HeldCompactResult,
  type HeldTurn,
  type HistoryOptions,
  type ImportEventsOptions,
  type ImportResult,
  type JsonObject,
  type ListConversationsOptions,
  type ListSavedSessionsOptions,
  type LlmMessage,
  type LoadSavedSessionOptions,
  type NewChatEvent,
  type RepositoryOptions,
  type RepositoryStats,
  type RetentionResult,
  requestIdOf,
  type SavedEventsPage,
  type SavedSession,
  type SavedSessionPage,
  TITLE_MAX_CHARS,
  type TurnClaim,
  type TurnKey,
  type UnfinishedTurn,
  uuidv7,
  type VacuumResult,
  type ValidEvent,
  validateEvent,
} from "@chatlog/core";
import type { DatabasePragmas, Dialect } from "./dialect.ts";
import type { Row, SqlExecutor, Statement, Step } from "./executor.ts";
import { importEvents } from "./import-events.ts";
import { validateRepositoryOptions } from "./options.ts";
import {
  DEFAULT_EVENT_PAGE,
  DEFAULT_LIST_PAGE,
  decodeListCursor,
  decodeSavedCursor,
  encodeListCursor,
  encodeSavedCursor,
  eventRange,
  limitOf,
  MAX_LIST_PAGE,
} from "./paging.ts";
import { RetentionRunner } from "./retention.ts";
import { decodeRow, encodeEvent, storedEvent } from "./row-codec.ts";
import { completeSavedTurns, unansweredTurns } from "./saved-turns.ts";
import { deleteInSlices } from "./sliced-delete.ts";
import { WriteQueue } from "./write-queue.ts";

const CLEAR_COUNTER = "clear_session_calls";

/**
 * The ChatRepository for every driver, over a dialect's statements and a driver's executor.
 * Each hot path is one statement (append, reads) or one batch (compaction, persisting a reply);
 * writes go through a group-commit queue.
 */
export class EngineChatRepository implements ChatRepository {
  private readonly queue: WriteQueue;
  private readonly retention: RetentionRunner;
  private closed = false;
  private readonly onCorrupt: (error: ChatlogError) => void;
  private readonly sql: Dialect["statements"];
  /** The user this repository acts as (forOwner); null for the administrator's. */
  readonly ownerId: string | null;
  /** The unscoped repository a forOwner one shares its connection, queue and lifetime with. */
  private readonly root: EngineChatRepository | null;

  constructor(
    private readonly dialect: Dialect,
    private readonly executor: SqlExecutor,
    private readonly options: RepositoryOptions = {},
    scope?: { root: EngineChatRepository; ownerId: string },
  ) {
    this.sql = dialect.statements;
    this.onCorrupt = options.onCorruptRow ?? ((error) => console.warn(`chatlog: ${error.message}`));
    if (scope) {
      this.root = scope.root;
      this.ownerId = scope.ownerId;
      this.queue = scope.root.queue;
      this.retention = scope.root.retention;
      return;
    }
    validateRepositoryOptions(options);
    this.root = null;
    this.ownerId = null;
    this.queue = new WriteQueue(executor, dialect);
    this.retention = new RetentionRunner(executor, this.sql, options);
    this.retention.start();
  }

  forOwner(ownerId: string): ChatRepository {
    this.ensureOpen();
    assertId(ownerId, "ownerId");
    if (this.ownerId === ownerId) return this;
    if (this.root !== null) throw adminOnly("acting as another user");
    return new EngineChatRepository(this.dialect, this.executor, this.options, { root: this, ownerId });
  }

  // --- writes -------------------------------------------------------------------------------

  async addEvent(input: NewChatEvent): Promise<AddEventResult> {
    this.ensureOpen();
    const event = validateEvent(input);
    // A user message's key is always a client's: it may not take one of chatlog's own keys.
    const key = requestIdOf(event);
    if (event.type === "user_message" && key !== null) assertClientRequestId(key, "extra.request_id");
    const append: Step = { statement: this.sql.append, args: encodeEvent(event) };
    if (this.executor.remote) {
      // One round trip even for a duplicate: the lookup rides in the append's batch.
      const [inserted, existing] = await this.writeTo(
        event.conversationId,
        [append, this.duplicateLookup(event)],
        {
          create: true,
        },
      );
      const seq = inserted?.[0]?.seq;
      if (typeof seq === "number") return { added: true, event: storedEvent(event, seq) };
      return { added: false, event: this.storedDuplicate(event, existing ?? []) };
    }
    const [inserted] = await this.writeTo(event.conversationId, [append], { create: true });
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
    const [inserted, stored] = await this.writeTo(
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

  async handleClearSession(): Promise<boolean> {
    this.ensureAdmin("handleClearSession");
    const every = this.options.clearTriggersBeforeFullWipe ?? this.options.retention?.maxSessions ?? 1;
    const [rows] = await this.write([{ statement: this.sql.bumpCounter, args: { key: CLEAR_COUNTER } }]);
    const calls = Number(rows?.[0]?.value ?? 0);
    // Every Nth call by the count kept in the database (so it survives restarts and is shared by
    // processes); a modulo rather than a reset, so no increment from another process is lost.
    if (calls % Math.max(1, every) !== 0) return false;
    await this.wipeUnsaved();
    return true;
  }

  // --- reads --------------------------------------------------------------------------------

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
    const rows = await this.read({
      statement: this.sql.history,
      args: {
        conversation_id: conversationId,
        limit: limit ?? -1,
        before_seq: beforeSeq ?? Number.MAX_SAFE_INTEGER,
      },
    });
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

  /** See this.sql.deleteOrphanDeltas; returns how many rows went. */
  async deleteOrphanDeltas(): Promise<number> {
    this.ensureAdmin("deleteOrphanDeltas");
    return deleteInSlices(this.executor, (batch) => ({
      statement: this.sql.deleteOrphanDeltas,
      args: { kind: ASSISTANT_DELTA_KIND, batch },
    }));
  }

  async listUnfinishedTurns(): Promise<UnfinishedTurn[]> {
    this.ensureOpen();
    const rows = await this.read({
      statement: this.sql.unfinishedTurns,
      args: { kind: ASSISTANT_DELTA_KIND },
    });
    return rows.map((row) => ({
      conversationId: String(row.conversation_id),
      userRequestId: String(row.user_request_id),
    }));
  }

  // --- turn claims -------------------------------------------------------------------------

  async claimTurn(input: ClaimTurnInput): Promise<ClaimTurnResult> {
    this.ensureOpen();
    const key = turnKeyArgs(input);
    assertId(input.ownerId, "ownerId");
    assertId(input.messageId, "messageId");
    if (!Number.isInteger(input.staleMs) || input.staleMs < 0) {
      throw new ChatlogError("INVALID_ARGUMENT", "staleMs must be a non-negative integer");
    }
    // One batch: the claim, then the row as it stands (ours, or the live holder's).
    const [taken, current] = await this.writeTo(input.conversationId, [
      {
        statement: this.sql.claimTurn,
        args: {
          ...key,
          claim_owner: input.ownerId,
          message_id: input.messageId,
          stale_ms: input.staleMs,
          dead_owner: input.deadOwnerId ?? null,
        },
      },
      { statement: this.sql.turnClaim, args: key },
    ]);
    const row = current?.[0];
    if (!row) throw new ChatlogError("STORAGE_ERROR", "a turn claim vanished while it was taken");
    return { acquired: (taken?.length ?? 0) > 0, claim: decodeClaim(row) };
  }

  async getTurnClaim(key: TurnKey): Promise<TurnClaim | null> {
    this.ensureOpen();
    const [row] = await this.read({ statement: this.sql.turnClaim, args: turnKeyArgs(key) });
    return row ? decodeClaim(row) : null;
  }

  async listTurnClaims(conversationId: string): Promise<TurnClaim[]> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    const rows = await this.read({
      statement: this.sql.conversationClaims,
      args: { conversation_id: conversationId },
    });
    return rows.map(decodeClaim);
  }

  async heartbeatTurnClaims(ownerId: string): Promise<TurnKey[]> {
    this.ensureOpen();
    const [rows] = await this.write([
      { statement: this.sql.heartbeatClaims, args: { claim_owner: ownerId } },
    ]);
    return (rows ?? []).map((row) => ({
      conversationId: String(row.conversation_id),
      userRequestId: String(row.user_request_id),
      attempt: Number(row.attempt),
    }));
  }

  async releaseTurnClaim(key: TurnKey, ownerId: string): Promise<void> {
    this.ensureOpen();
    await this.writeTo(key.conversationId, [
      { statement: this.sql.releaseClaim, args: { ...turnKeyArgs(key), claim_owner: ownerId } },
    ]);
  }

  async listStaleTurnClaims(staleMs: number, limit = 100): Promise<TurnClaim[]> {
    this.ensureOpen();
    const rows = await this.read({
      statement: this.sql.staleClaims,
      args: { stale_ms: staleMs, limit },
    });
    return rows.map(decodeClaim);
  }

  // --- writes of a turn's generator, conditional on its claim -------------------------------

  async appendHeld(turn: HeldTurn, input: NewChatEvent): Promise<HeldAppendResult> {
    this.ensureOpen();
    const held = heldArgs(turn);
    const event = validateEvent(input);
    assertOfTurn(event, turn);
    const append: Step = { statement: this.sql.appendHeld, args: { ...encodeEvent(event), ...held } };
    const holds: Step = { statement: this.sql.heldClaim, args: held };
    if (this.executor.remote) {
      // One round trip whatever the outcome: the claim check and the duplicate lookup ride along.
      const [inserted, claim, existing] = await this.writeTo(turn.conversationId, [
        append,
        holds,
        this.duplicateLookup(event),
      ]);
      const seq = inserted?.[0]?.seq;
      if (typeof seq === "number") return { held: true, added: true, event: storedEvent(event, seq) };
      if ((claim?.length ?? 0) === 0) return { held: false };
      return { held: true, added: false, event: this.storedDuplicate(event, existing ?? []) };
    }
    const [inserted] = await this.writeTo(turn.conversationId, [append]);
    const seq = inserted?.[0]?.seq;
    if (typeof seq === "number") return { held: true, added: true, event: storedEvent(event, seq) };
    // Nothing inserted: the claim is gone, or the event is a duplicate (a re-sent tool call).
    if ((await this.read(holds)).length === 0) return { held: false };
    return { held: true, added: false, event: await this.findDuplicate(event) };
  }

  async compactHeld(
    turn: HeldTurn,
    finalContent: Content,
    model: string | null = null,
    extra: JsonObject = {},
  ): Promise<HeldCompactResult> {
    this.ensureOpen();
    const held = heldArgs(turn);
    if (extra.attempt !== undefined && extra.attempt !== turn.attempt) {
      throw new ChatlogError("INVALID_ARGUMENT", "extra.attempt must be the held turn's attempt", {
        details: { field: "extra.attempt" },
      });
    }
    const more = turn.attempt > 1 ? { ...extra, attempt: turn.attempt } : extra;
    const reply = this.assistantReply(
      turn.conversationId,
      turn.userRequestId,
      finalContent,
      model,
      null,
      more,
    );
    // One job: the reply, the removal of the deltas, the claim check and the read-back commit
    // together, so a generator that lost its claim changes nothing, and learns what is stored.
    const [, , claim, stored] = await this.writeTo(turn.conversationId, [
      { statement: this.sql.appendHeld, args: { ...encodeEvent(reply), ...held } },
      { statement: this.sql.deleteDeltasHeld, args: { ...held, kind: ASSISTANT_DELTA_KIND } },
      { statement: this.sql.heldClaim, args: held },
      {
        statement: this.sql.byRequestId,
        args: { conversation_id: reply.conversationId, request_id: requestIdOf(reply) },
      },
    ]);
    const current = this.decodeFirst(stored ?? []);
    if ((claim?.length ?? 0) === 0) return { held: false, reply: current };
    if (current === null) throw new ChatlogError("STORAGE_ERROR", "the stored reply could not be read back");
    return { held: true, reply: current };
  }

  async importEvents(
    events: Iterable<ChatEvent> | AsyncIterable<ChatEvent>,
    opts: ImportEventsOptions = {},
  ): Promise<ImportResult> {
    this.ensureAdmin("importEvents");
    for (const owner of opts.owners?.values() ?? []) assertId(owner, "owners");
    return importEvents(this.executor, this.dialect, this.queue, events, opts.owners);
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

  async stats(): Promise<RepositoryStats> {
    this.ensureAdmin("stats");
    const [types, [summary], [size]] = await Promise.all([
      this.read({ statement: this.sql.statsByType, args: {} }),
      this.read({ statement: this.sql.statsConversations, args: {} }),
      this.read({ statement: this.sql.statsSize, args: {} }),
    ]);
    const eventsByType: Record<string, number> = {};
    for (const row of types) eventsByType[String(row.type)] = Number(row.n);
    const time = dateOf;
    return {
      eventsByType,
      events: Object.values(eventsByType).reduce((a, b) => a + b, 0),
      conversations: Number(summary?.conversations ?? 0),
      savedSessions: Number(size?.saved_sessions ?? 0),
      databaseBytes: Number(size?.bytes ?? 0),
      oldestActivity: time(summary?.oldest_ms),
      newestActivity: time(summary?.newest_ms),
    };
  }

  async deleteConversation(conversationId: string): Promise<DeleteConversationResult> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    const args = { conversation_id: conversationId };
    // One job: the counts and the three deletes commit together, so an erasure is never half done.
    // The summary goes last: it is what the other deletes' ownership condition reads.
    const [footprint] = await this.writeTo(conversationId, [
      { statement: this.sql.conversationFootprint, args },
      { statement: this.sql.deleteConversationEvents, args },
      { statement: this.sql.deleteConversationSaved, args },
      { statement: this.sql.deleteConversationClaims, args },
      { statement: this.sql.deleteConversationSummary, args },
    ]);
    const row = footprint?.[0];
    return { deletedEvents: Number(row?.events ?? 0), deletedSavedSessions: Number(row?.saved ?? 0) };
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

  async vacuum(): Promise<VacuumResult> {
    this.ensureAdmin("vacuum");
    return this.dialect.vacuum(this.executor);
  }

  // --- retention and saved sessions ---------------------------------------------------------

  async runRetention(): Promise<RetentionResult> {
    this.ensureAdmin("runRetention");
    return this.retention.run();
  }

  async saveSession(conversationId: string, name?: string): Promise<string> {
    this.ensureOpen();
    assertId(conversationId, "conversationId");
    const saved = this.options.savedSessions ?? {};
    if (saved.enabled === false) {
      throw new ChatlogError(
        "FEATURE_DISABLED",
        "saved sessions are disabled (savedSessions.enabled is false)",
      );
    }
    if (name !== undefined && (typeof name !== "string" || name.length === 0 || name.length > 512)) {
      throw new ChatlogError("INVALID_ARGUMENT", "name must be a non-empty string of at most 512 characters");
    }
    const now = new Date();
    const id = uuidv7(now.getTime());
    const steps: Step[] = [
      {
        statement: this.sql.saveSession,
        args: {
          id,
          conversation_id: conversationId,
          name: name ?? `Session ${now.toISOString().slice(0, 19).replace("T", " ")} UTC`,
          created_at_ms: now.getTime(),
        },
      },
    ];
    if (saved.maxSaved !== undefined) {
      steps.push({ statement: this.sql.trimSavedSessions, args: { keep: saved.maxSaved } });
    }
    const [inserted] = await this.writeTo(conversationId, steps);
    if (!inserted || inserted.length === 0) {
      throw new ChatlogError("EMPTY_CONVERSATION", `conversation ${conversationId} has no events to save`, {
        details: { conversationId },
      });
    }
    return id;
  }

  async listSavedSessions(): Promise<SavedSession[]> {
    this.ensureOpen();
    const rows = await this.read({ statement: this.sql.listSavedSessions, args: {} });
    return rows.map(decodeSavedSession);
  }

  async listSavedSessionsPage(opts: ListSavedSessionsOptions = {}): Promise<SavedSessionPage> {
    this.ensureOpen();
    const limit = Math.min(limitOf(opts.limit) ?? DEFAULT_LIST_PAGE, MAX_LIST_PAGE);
    const cursor = opts.cursor
      ? decodeSavedCursor(opts.cursor)
      : { ms: Number.MAX_SAFE_INTEGER, rowid: Number.MAX_SAFE_INTEGER };
    const rows = await this.read({
      statement: this.sql.savedSessionsPage,
      args: { cursor_ms: cursor.ms, cursor_rowid: cursor.rowid, limit: limit + 1 },
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? encodeSavedCursor(Number(last.created_at_ms), Number(last.page_rowid))
        : null;
    return { saved: page.map(decodeSavedSession), nextCursor };
  }

  async loadSavedSession(savedId: string): Promise<ChatEvent[]> {
    const { conversationId, rows } = await this.savedRows(savedId, {});
    return this.completeSaved(conversationId, this.decodeAll(rows));
  }

  async loadSavedSessionPage(savedId: string, opts: LoadSavedSessionOptions = {}): Promise<SavedEventsPage> {
    const limit = Math.min(limitOf(opts.limit) ?? DEFAULT_EVENT_PAGE, MAX_LIST_PAGE);
    const { conversationId, rows } = await this.savedRows(savedId, { ...opts, limit: limit + 1 });
    const page = rows.slice(0, limit);
    // The cursor comes from the stored rows, not from what completeSaved makes of them (a
    // reply that landed after the save carries a seq past the snapshot).
    const nextAfterSeq = rows.length > limit ? Number(page.at(-1)?.seq) : null;
    return { events: await this.completeSaved(conversationId, this.decodeAll(page)), nextAfterSeq };
  }

  async deleteSavedSession(savedId: string): Promise<boolean> {
    this.ensureOpen();
    assertId(savedId, "savedId");
    const [removed] = await this.write([{ statement: this.sql.deleteSavedSession, args: { id: savedId } }]);
    return (removed?.length ?? 0) > 0;
  }

  private async savedRows(savedId: string, opts: LoadSavedSessionOptions) {
    this.ensureOpen();
    assertId(savedId, "savedId");
    const { afterSeq, limit } = eventRange(opts);
    const [saved] = await this.read({ statement: this.sql.savedSession, args: { id: savedId } });
    if (!saved) throw new ChatlogError("NOT_FOUND", `no saved session ${savedId}`, { details: { savedId } });
    const conversationId = String(saved.conversation_id);
    const rows = await this.read({
      statement: this.sql.savedEvents,
      args: {
        conversation_id: conversationId,
        last_seq: Number(saved.last_seq),
        after_seq: afterSeq ?? Number.MIN_SAFE_INTEGER,
        limit: limit ?? -1,
      },
    });
    return { conversationId, rows };
  }

  /**
   * A turn that was streaming when the session was saved: its final reply if it has landed
   * since (compaction removed the deltas the snapshot saw), else the reply so far. On a page,
   * this applies to the turns whose user message is on it.
   */
  private async completeSaved(conversationId: string, events: ChatEvent[]): Promise<ChatEvent[]> {
    const replies = new Map<string, ChatEvent>();
    for (const requestId of unansweredTurns(events)) {
      const reply = await this.getExistingAssistantResponse(conversationId, requestId);
      if (reply !== null) replies.set(requestId, reply);
    }
    return completeSavedTurns(events, replies);
  }

  // --- lifecycle ----------------------------------------------------------------------------

  /** The pragmas in force on this repository's connection (SQLite: WAL, synchronous, busy timeout). */
  async pragmas(): Promise<DatabasePragmas> {
    this.ensureAdmin("pragmas");
    if (this.dialect.pragmas === undefined) {
      throw new ChatlogError("FEATURE_DISABLED", `a ${this.dialect.name} database has no pragmas`);
    }
    return this.dialect.pragmas(this.executor);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A forOwner repository borrows the connection: closing it ends only its own use.
    if (this.root !== null) return;
    await this.retention.stop();
    await this.queue.drain();
    await this.executor.close();
  }

  // --- helpers ------------------------------------------------------------------------------

  private ensureOpen(): void {
    if (this.closed || this.root?.closed) throw new ChatlogError("CLOSED", "the repository is closed");
  }

  /** Calls that span every user's data belong to the unscoped repository. */
  private ensureAdmin(method: string): void {
    this.ensureOpen();
    if (this.ownerId !== null) throw adminOnly(method);
  }

  /**
   * A statement with this repository's :owner_id bound: the one place ownership enters the SQL.
   * Bound only where the statement names it, so a remote server never sees a stray parameter.
   */
  private withOwner(step: Step): Step {
    if (!namesOwner(step.statement)) return step;
    return { statement: step.statement, args: { ...step.args, owner_id: this.ownerId } };
  }

  private read(step: Step): Promise<Row[]> {
    return this.executor.all(this.withOwner(step));
  }

  private write(job: Step[]): Promise<Row[][]> {
    return this.queue.submit(job.map((step) => this.withOwner(step)));
  }

  /**
   * A write into one conversation. Acting as a user, the job first (with `create`) makes a new
   * conversation this user's, then checks in the same transaction whether it is someone else's; the job's own statements carry the
   * ownership condition, so against another user's conversation they change nothing, and the
   * caller gets NOT_OWNER. Returns the rows of `job`'s own steps.
   */
  private async writeTo(
    conversationId: string,
    job: Step[],
    opts: { create?: boolean } = {},
  ): Promise<Row[][]> {
    if (this.ownerId === null) return this.write(job);
    assertId(conversationId, "conversationId");
    const args = { conversation_id: conversationId, now_ms: Date.now() };
    // The claim first: where writers run side by side (Postgres), a racing claim waits for the
    // first one to commit, and the check after it then sees who won.
    const prefix: Step[] = opts.create ? [{ statement: this.sql.claimConversation, args }] : [];
    prefix.push({ statement: this.sql.foreignConversation, args });
    const results = await this.write([...prefix, ...job]);
    if ((results[prefix.length - 1]?.length ?? 0) > 0) {
      throw new ChatlogError(
        "NOT_OWNER",
        `conversation ${conversationId} belongs to another user; nothing was written`,
        {
          details: { conversationId },
        },
      );
    }
    return results.slice(prefix.length);
  }

  private assistantReply(
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
  private async writeThenRead(steps: Step[], event: ValidEvent): Promise<ChatEvent> {
    const readBack: Step = {
      statement: this.sql.byRequestId,
      args: { conversation_id: event.conversationId, request_id: requestIdOf(event) },
    };
    const results = await this.writeTo(event.conversationId, [...steps, readBack], { create: true });
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
  private assertSameRequest(event: ValidEvent, stored: Row[]): void {
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

  private duplicateLookup(event: ValidEvent): Step {
    return {
      statement: this.sql.findDuplicate,
      args: { conversation_id: event.conversationId, request_id: requestIdOf(event), id: event.id },
    };
  }

  private async findDuplicate(event: ValidEvent): Promise<ChatEvent> {
    return this.storedDuplicate(event, await this.read(this.duplicateLookup(event)));
  }

  private storedDuplicate(event: ValidEvent, rows: Row[]): ChatEvent {
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

  private replyLookup(statement: Statement, conversationId: string, userRequestId: string): Step {
    assertId(conversationId, "conversationId");
    assertId(userRequestId, "userRequestId");
    return { statement, args: { conversation_id: conversationId, user_request_id: userRequestId } };
  }

  private async wipeUnsaved(): Promise<void> {
    await deleteInSlices(this.executor, (batch) => ({ statement: this.sql.wipeSlice, args: { batch } }));
  }

  private decodeAll(rows: Row[]): ChatEvent[] {
    return rows.map((row) => decodeRow(row, this.onCorrupt));
  }

  private decodeFirst(rows: Row[]): ChatEvent | null {
    return rows[0] ? decodeRow(rows[0], this.onCorrupt) : null;
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

/**
 * A stored millisecond time as a Date, or null when absent or not a time a Date can hold (a
 * damaged row must not produce an Invalid Date that throws a RangeError wherever it is printed).
 */
function dateOf(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const ms = Number(value);
  return Number.isSafeInteger(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms) : null;
}

function summaryOf(row: Row): ConversationSummary {
  return {
    conversationId: String(row.conversation_id),
    createdAt: dateOf(row.created_at_ms) ?? new Date(0),
    lastActivityAt: dateOf(row.last_activity_ms) ?? new Date(0),
    eventCount: Number(row.event_count),
    title: typeof row.custom_title === "string" ? row.custom_title : titleOf(row.title),
    ownerId: row.owner_id === null || row.owner_id === undefined ? null : String(row.owner_id),
  };
}

function decodeSavedSession(row: Row): SavedSession {
  const time = dateOf;
  return {
    id: String(row.id),
    conversationId: String(row.conversation_id),
    name: String(row.name),
    createdAt: time(row.created_at_ms) ?? new Date(0),
    sessionStart: time(row.session_start_ms),
    sessionEnd: time(row.session_end_ms),
    messageCount: Number(row.message_count),
  };
}

/** The reply attempt an event's extra names (absent means 1, the first reply). */
function attemptOf(extra: JsonObject): number {
  const attempt = extra.attempt;
  if (attempt === undefined) return 1;
  if (typeof attempt !== "number" || !Number.isInteger(attempt) || attempt < 1) {
    throw new ChatlogError("INVALID_ARGUMENT", "extra.attempt must be a positive integer", {
      details: { field: "extra.attempt" },
    });
  }
  return attempt;
}

function turnKeyArgs(key: TurnKey) {
  assertId(key.conversationId, "conversationId");
  assertId(key.userRequestId, "userRequestId");
  if (!Number.isInteger(key.attempt) || key.attempt < 1) {
    throw new ChatlogError("INVALID_ARGUMENT", "attempt must be a positive integer", {
      details: { field: "attempt" },
    });
  }
  return { conversation_id: key.conversationId, user_request_id: key.userRequestId, attempt: key.attempt };
}

/** The parameters of the HELD condition (statements.ts) for a generator's write. */
function heldArgs(turn: HeldTurn) {
  const key = turnKeyArgs(turn);
  assertId(turn.ownerId, "ownerId");
  return {
    conversation_id: key.conversation_id,
    held_request_id: key.user_request_id,
    held_attempt: key.attempt,
    held_owner: turn.ownerId,
  };
}

/** A held write may only add to its own turn (the claim says nothing about any other). */
function assertOfTurn(event: ValidEvent, turn: HeldTurn): void {
  if (event.conversationId !== turn.conversationId || event.extra.user_request_id !== turn.userRequestId) {
    throw new ChatlogError(
      "INVALID_ARGUMENT",
      "a held write must belong to the held turn (its conversationId and extra.user_request_id)",
      { details: { field: "extra.user_request_id" } },
    );
  }
  if (event.type === "user_message") {
    throw new ChatlogError("INVALID_ARGUMENT", "a turn's generator does not write user messages", {
      details: { field: "type" },
    });
  }
}

function decodeClaim(row: Row): TurnClaim {
  return {
    conversationId: String(row.conversation_id),
    userRequestId: String(row.user_request_id),
    attempt: Number(row.attempt),
    ownerId: String(row.owner_id),
    messageId: String(row.message_id),
    claimedAt: new Date(Number(row.claimed_at_ms)),
    heartbeatAt: new Date(Number(row.heartbeat_ms)),
    ageMs: Number(row.age_ms ?? 0),
    takeovers: Number(row.takeovers),
  };
}

/** A list title from the stored text: whitespace runs become one space, cut at TITLE_MAX_CHARS. */
function titleOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const text = value.replace(/\s+/g, " ").trim();
  if (text.length === 0) return null;
  const chars = Array.from(text);
  return chars.length <= TITLE_MAX_CHARS
    ? text
    : `${chars
        .slice(0, TITLE_MAX_CHARS - 1)
        .join("")
        .trimEnd()}…`;
}

const ownerParameter = new WeakMap<Statement, boolean>();

function namesOwner(statement: Statement): boolean {
  let names = ownerParameter.get(statement);
  if (names === undefined) {
    names = /:owner_id\b/.test(statement.sql);
    ownerParameter.set(statement, names);
  }
  return names;
}

function adminOnly(what: string): ChatlogError {
  return new ChatlogError(
    "ADMIN_ONLY",
    `${what} needs the unscoped (administrator's) repository, not forOwner`,
  );
}
