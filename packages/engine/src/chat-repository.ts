import type {
  AddEventResult,
  BuildLlmConversationOptions,
  ChatEvent,
  ChatRepository,
  ClaimTurnInput,
  ClaimTurnResult,
  Content,
  ConversationPage,
  DeleteConversationResult,
  GetEventsOptions,
  HeldAppendResult,
  HeldCompactResult,
  HeldTurn,
  HistoryOptions,
  ImportResult,
  JsonObject,
  ListConversationsOptions,
  ListSavedSessionsOptions,
  LlmMessage,
  LoadSavedSessionOptions,
  NewChatEvent,
  RepositoryOptions,
  RepositoryStats,
  RetentionResult,
  SavedEventsPage,
  SavedSession,
  SavedSessionPage,
  TurnClaim,
  TurnKey,
  UnfinishedTurn,
  VacuumResult,
} from "@chatlog/core";
import { assertId, ChatlogError, type ConversationSummary, type ImportEventsOptions } from "@chatlog/core";
import type { DatabasePragmas, Dialect } from "./dialect.ts";
import { EventStore } from "./event-store.ts";
import type { SqlExecutor } from "./executor.ts";
import { Maintenance } from "./maintenance.ts";
import { validateRepositoryOptions } from "./options.ts";
import { adminOnly, type RepositoryContext } from "./repository-part.ts";
import { SavedSessionStore } from "./saved-session-store.ts";
import { TurnStore } from "./turn-store.ts";
import { WriteQueue } from "./write-queue.ts";

/**
 * The ChatRepository for every driver, over a dialect's statements and a driver's executor.
 * Each hot path is one statement (append, reads) or one batch (compaction, persisting a reply);
 * writes go through a group-commit queue. The work is done by one part per domain (events and
 * history, turns and claims, saved sessions, retention and maintenance); this class is the
 * contract's one face over them and owns their shared lifecycle.
 */
export class EngineChatRepository implements ChatRepository {
  private readonly context: RepositoryContext;
  private readonly events: EventStore;
  private readonly turns: TurnStore;
  private readonly saved: SavedSessionStore;
  private readonly maintenance: Maintenance;

  constructor(
    dialect: Dialect,
    executor: SqlExecutor,
    options: RepositoryOptions = {},
    scope?: { root: RepositoryContext; ownerId: string },
  ) {
    if (scope === undefined) validateRepositoryOptions(options);
    this.context = scope
      ? { ...scope.root, state: { closed: false }, ownerId: scope.ownerId, rootState: scope.root.state }
      : {
          dialect,
          executor,
          sql: dialect.statements,
          queue: new WriteQueue(executor, dialect),
          options,
          onCorrupt: options.onCorruptRow ?? ((error) => console.warn(`chatlog: ${error.message}`)),
          state: { closed: false },
          ownerId: null,
          rootState: null,
        };
    this.events = new EventStore(this.context);
    this.turns = new TurnStore(this.context, this.events);
    this.saved = new SavedSessionStore(this.context, this.events);
    this.maintenance = new Maintenance(this.context);
    // A forOwner view shares its root's connection, queue and background retention.
    if (scope === undefined) this.maintenance.retention.start();
  }

  /** The user this repository acts as (forOwner); null for the administrator's. */
  get ownerId(): string | null {
    return this.context.ownerId;
  }

  forOwner(ownerId: string): ChatRepository {
    const { state, rootState, ownerId: current, dialect, executor, options } = this.context;
    if (state.closed || rootState?.closed) throw new ChatlogError("CLOSED", "the repository is closed");
    assertId(ownerId, "ownerId");
    if (current === ownerId) return this;
    if (current !== null) throw adminOnly("acting as another user");
    return new EngineChatRepository(dialect, executor, options, { root: this.context, ownerId });
  }

  async getConversation(conversationId: string): Promise<ConversationSummary | null> {
    return this.events.getConversation(conversationId);
  }

  async addEvent(input: NewChatEvent): Promise<AddEventResult> {
    return this.events.addEvent(input);
  }

  async handleUserMessagePersistence(
    conversationId: string,
    userMsg: Content,
    requestId: string,
  ): Promise<boolean> {
    return this.events.handleUserMessagePersistence(conversationId, userMsg, requestId);
  }

  async persistAssistantMessage(
    conversationId: string,
    requestId: string,
    content: Content,
    model: string | null,
    provider: string | null = "unknown",
  ): Promise<ChatEvent> {
    return this.events.persistAssistantMessage(conversationId, requestId, content, model, provider);
  }

  async compactDeltas(
    conversationId: string,
    userRequestId: string,
    finalContent: Content,
    model: string | null = null,
    extra: JsonObject = {},
  ): Promise<ChatEvent> {
    return this.events.compactDeltas(conversationId, userRequestId, finalContent, model, extra);
  }

  async getEvents(conversationId: string, opts?: GetEventsOptions): Promise<ChatEvent[]> {
    return this.events.getEvents(conversationId, opts);
  }

  async getConversationHistory(conversationId: string, opts: HistoryOptions = {}): Promise<ChatEvent[]> {
    return this.events.getConversationHistory(conversationId, opts);
  }

  async listConversations(opts: ListConversationsOptions = {}): Promise<ConversationPage> {
    return this.events.listConversations(opts);
  }

  async setConversationTitle(conversationId: string, title: string | null): Promise<void> {
    return this.events.setConversationTitle(conversationId, title);
  }

  async getEventByRequestId(conversationId: string, requestId: string): Promise<ChatEvent | null> {
    return this.events.getEventByRequestId(conversationId, requestId);
  }

  async getLastAssistantReplyId(conversationId: string, userRequestId: string): Promise<string | null> {
    return this.events.getLastAssistantReplyId(conversationId, userRequestId);
  }

  async getExistingAssistantResponse(conversationId: string, requestId: string): Promise<ChatEvent | null> {
    return this.events.getExistingAssistantResponse(conversationId, requestId);
  }

  async buildLlmConversation(
    conversationId: string,
    userMsg: Content,
    systemPrompt: string,
    opts: BuildLlmConversationOptions = {},
  ): Promise<LlmMessage[]> {
    return this.events.buildLlmConversation(conversationId, userMsg, systemPrompt, opts);
  }

  async getTurnEvents(conversationId: string, userRequestId: string): Promise<ChatEvent[]> {
    return this.events.getTurnEvents(conversationId, userRequestId);
  }

  /** See this.sql.deleteOrphanDeltas; returns how many rows went. */
  async deleteOrphanDeltas(): Promise<number> {
    return this.turns.deleteOrphanDeltas();
  }

  async listUnfinishedTurns(): Promise<UnfinishedTurn[]> {
    return this.turns.listUnfinishedTurns();
  }

  async claimTurn(input: ClaimTurnInput): Promise<ClaimTurnResult> {
    return this.turns.claimTurn(input);
  }

  async getTurnClaim(key: TurnKey): Promise<TurnClaim | null> {
    return this.turns.getTurnClaim(key);
  }

  async listTurnClaims(conversationId: string): Promise<TurnClaim[]> {
    return this.turns.listTurnClaims(conversationId);
  }

  async heartbeatTurnClaims(ownerId: string): Promise<TurnKey[]> {
    return this.turns.heartbeatTurnClaims(ownerId);
  }

  async releaseTurnClaim(key: TurnKey, ownerId: string): Promise<void> {
    return this.turns.releaseTurnClaim(key, ownerId);
  }

  async listStaleTurnClaims(staleMs: number, limit = 100): Promise<TurnClaim[]> {
    return this.turns.listStaleTurnClaims(staleMs, limit);
  }

  async appendHeld(turn: HeldTurn, input: NewChatEvent): Promise<HeldAppendResult> {
    return this.turns.appendHeld(turn, input);
  }

  async compactHeld(
    turn: HeldTurn,
    finalContent: Content,
    model: string | null = null,
    extra: JsonObject = {},
  ): Promise<HeldCompactResult> {
    return this.turns.compactHeld(turn, finalContent, model, extra);
  }

  async saveSession(conversationId: string, name?: string): Promise<string> {
    return this.saved.saveSession(conversationId, name);
  }

  async listSavedSessions(): Promise<SavedSession[]> {
    return this.saved.listSavedSessions();
  }

  async listSavedSessionsPage(opts: ListSavedSessionsOptions = {}): Promise<SavedSessionPage> {
    return this.saved.listSavedSessionsPage(opts);
  }

  async loadSavedSession(savedId: string): Promise<ChatEvent[]> {
    return this.saved.loadSavedSession(savedId);
  }

  async loadSavedSessionPage(savedId: string, opts: LoadSavedSessionOptions = {}): Promise<SavedEventsPage> {
    return this.saved.loadSavedSessionPage(savedId, opts);
  }

  async deleteSavedSession(savedId: string): Promise<boolean> {
    return this.saved.deleteSavedSession(savedId);
  }

  async handleClearSession(): Promise<boolean> {
    return this.maintenance.handleClearSession();
  }

  async importEvents(
    events: Iterable<ChatEvent> | AsyncIterable<ChatEvent>,
    opts: ImportEventsOptions = {},
  ): Promise<ImportResult> {
    return this.maintenance.importEvents(events, opts);
  }

  async stats(): Promise<RepositoryStats> {
    return this.maintenance.stats();
  }

  async deleteConversation(conversationId: string): Promise<DeleteConversationResult> {
    return this.maintenance.deleteConversation(conversationId);
  }

  async vacuum(): Promise<VacuumResult> {
    return this.maintenance.vacuum();
  }

  async runRetention(): Promise<RetentionResult> {
    return this.maintenance.runRetention();
  }

  /** The pragmas in force on this repository's connection (SQLite: WAL, synchronous, busy timeout). */
  async pragmas(): Promise<DatabasePragmas> {
    return this.maintenance.pragmas();
  }

  async close(): Promise<void> {
    const { state, queue, executor, rootState } = this.context;
    if (state.closed) return;
    state.closed = true;
    // A forOwner view borrows the connection: closing it ends only its own use.
    if (rootState !== null) return;
    await this.maintenance.retention.stop();
    await queue.drain();
    await executor.close();
  }
}
