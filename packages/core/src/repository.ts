import type { ChatEvent, Content, NewChatEvent } from "./events.ts";
import type { JsonObject } from "./json.ts";
import type { LlmMessage } from "./llm-conversation.ts";

export interface AddEventResult {
  /** false when an event with the same id, or the same (conversationId, extra.request_id), was stored before. */
  added: boolean;
  /** The stored event: the new one, or the one that was already there. */
  event: ChatEvent;
}

export interface GetEventsOptions {
  /** At most this many events (default: all). */
  limit?: number;
  /** Only events with seq > afterSeq (forward paging). */
  afterSeq?: number;
  /**
   * Only events with seq < beforeSeq. Without afterSeq this pages backwards: the `limit` events
   * just before the cursor, still returned in seq order.
   */
  beforeSeq?: number;
}

export interface HistoryOptions {
  /** Keep only the most recent `limit` LLM-visible events (default: all). */
  limit?: number;
  /** Only events with seq < beforeSeq: pages back through a long history, newest page first. */
  beforeSeq?: number;
}

export interface BuildLlmConversationOptions {
  /** How many recent LLM-visible events to consider (default 50, as in the seed). */
  limit?: number;
  /**
   * The request id of the turn being answered. Its user message, already stored by
   * handleUserMessagePersistence, is left out of the history so that it is sent once, last.
   */
  requestId?: string;
}

export interface ConversationSummary {
  conversationId: string;
  createdAt: Date;
  lastActivityAt: Date;
  eventCount: number;
  /**
   * What to call the conversation in a list: the title set with setConversationTitle, else the
   * text of its first user message, whitespace collapsed, at most TITLE_MAX_CHARS characters;
   * null when it has neither.
   */
  title: string | null;
  /** The user the conversation belongs to (see ChatRepository.forOwner); null when nobody's. */
  ownerId: string | null;
}

/** The longest ConversationSummary.title. */
export const TITLE_MAX_CHARS = 120;

export interface ListConversationsOptions {
  /** Page size (default 50, at most 1000). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /**
   * Only this user's conversations (the administrator's listing by owner). A repository from
   * forOwner lists only its own user's whatever this says, and refuses another user's id.
   */
  ownerId?: string;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface SavedSession {
  id: string;
  conversationId: string;
  name: string;
  createdAt: Date;
  sessionStart: Date | null;
  sessionEnd: Date | null;
  messageCount: number;
}

export interface ListSavedSessionsOptions {
  /** Page size (default 50, at most 1000). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface SavedSessionPage {
  /** Newest first, as listSavedSessions. */
  saved: SavedSession[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface LoadSavedSessionOptions {
  /** `nextAfterSeq` of the previous page: only events with seq > afterSeq. */
  afterSeq?: number;
  /** Page size (default 200, at most 1000). */
  limit?: number;
}

export interface SavedEventsPage {
  /** In seq order, as loadSavedSession returns them. */
  events: ChatEvent[];
  /** Pass as `afterSeq` to get the next page; null on the last page. */
  nextAfterSeq: number | null;
}

export interface RetentionResult {
  /** Events deleted, by the policy that deleted them. */
  deletedByAge: number;
  deletedByMaxMessages: number;
  deletedByMaxSessions: number;
  /** Saved sessions dropped by savedSessions.retentionDays. */
  expiredSavedSessions: number;
  /** Conversations that no longer have any event. */
  removedConversations: number;
}

export interface RetentionOptions {
  /** Delete events older than this many hours. */
  maxAgeHours?: number;
  /** Keep at most this many events in total (the oldest go first). */
  maxMessages?: number;
  /** Keep at most this many conversations (the least recently active go first). */
  maxSessions?: number;
  /** Run the policies in the background this often (off when unset or 0). */
  cleanupIntervalMinutes?: number;
}

export interface SavedSessionOptions {
  enabled?: boolean;
  /** Saved sessions older than this many days are dropped by retention runs. */
  retentionDays?: number;
  /** Keep at most this many saved sessions; saving one more drops the oldest. */
  maxSaved?: number;
}

export interface UnfinishedTurn {
  conversationId: string;
  userRequestId: string;
}

/** One turn (a reply attempt to one user request): the unit a turn claim is held on. */
export interface TurnKey {
  conversationId: string;
  userRequestId: string;
  /** 1 for the first reply, n for the reply regenerated n - 1 times. */
  attempt: number;
}

/** Who is generating a turn: held by one process at a time, shared through the database. */
export interface TurnClaim extends TurnKey {
  ownerId: string;
  /** The assistant message id of the reply, fixed when the turn starts; kept on takeover. */
  messageId: string;
  claimedAt: Date;
  heartbeatAt: Date;
  /** Age of the heartbeat by the database clock when the claim was read. */
  ageMs: number;
  takeovers: number;
}

export interface ClaimTurnInput extends TurnKey {
  ownerId: string;
  /** Used when the claim is new; an existing claim keeps its message id. */
  messageId: string;
  /** A claim whose heartbeat is older than this may be taken over. */
  staleMs: number;
  /** A holder known to be gone (its process no longer exists): taken over whatever its heartbeat. */
  deadOwnerId?: string | null;
}

export interface ClaimTurnResult {
  /** true when `ownerId` holds the claim now (new, renewed, or taken over). */
  acquired: boolean;
  /** The claim as it stands: `ownerId`'s when acquired, else the live holder's. */
  claim: TurnClaim;
}

/** A writer's proof of holding a turn: the turn's key and the owner id its claim must still carry. */
export interface HeldTurn extends TurnKey {
  ownerId: string;
}

/**
 * A claim-conditional append: `held: false` when the claim was not `ownerId`'s at the moment of
 * the write (taken over, released, or deleted with its conversation); nothing was written then.
 */
export type HeldAppendResult = ({ held: true } & AddEventResult) | { held: false };

/**
 * A claim-conditional compaction. Held: the reply stored now, or the one stored before (a second
 * call). Not held: nothing was written or removed, and `reply` is the turn's stored reply if
 * whoever holds (or held) the turn has stored one, else null.
 */
export type HeldCompactResult = { held: true; reply: ChatEvent } | { held: false; reply: ChatEvent | null };

export interface ImportResult {
  /** Events inserted. */
  imported: number;
  /** Events already present with the same id and position (a re-import). */
  skipped: number;
}

export interface ImportEventsOptions {
  /**
   * The owner of imported conversations, by conversation id (an export carries them). Read once
   * every event has been consumed, so it may be filled while the events are read. A conversation
   * that already exists with another owner (or none) fails the import with CONFLICT.
   */
  owners?: ReadonlyMap<string, string>;
}

export interface DeleteConversationResult {
  /** Events removed (every event of the conversation, deltas included). */
  deletedEvents: number;
  /** Saved sessions (snapshots) of the conversation removed with it. */
  deletedSavedSessions: number;
}

export interface VacuumResult {
  /** true when this run converted the file to incremental vacuuming (one full VACUUM). */
  full: boolean;
  /** Database size (pages in use and free) before and after, in bytes. */
  bytesBefore: number;
  bytesAfter: number;
}

export interface RepositoryStats {
  eventsByType: Record<string, number>;
  events: number;
  conversations: number;
  savedSessions: number;
  databaseBytes: number;
  oldestActivity: Date | null;
  newestActivity: Date | null;
}

/** Options every driver's openChatRepository accepts. */
export interface RepositoryOptions {
  /** Run pending migrations on open (default true). */
  migrate?: boolean;
  retention?: RetentionOptions;
  savedSessions?: SavedSessionOptions;
  /** handleClearSession wipes on every Nth call (default: retention.maxSessions, else 1). */
  clearTriggersBeforeFullWipe?: number;
  /** Called for each stored row that could not be fully decoded (default: console.warn). */
  onCorruptRow?: (error: import("./errors.ts").ChatlogError) => void;
  /** Called when a background retention run fails (default: console.error). */
  onBackgroundError?: (error: unknown) => void;
}

export interface ChatRepository {
  /**
   * The same repository acting as one user (an opaque id, the rules of any other id): a write
   * to a new conversation makes it theirs; another user's conversation, or an unowned one, does
   * not exist for its reads and refuses its writes (NOT_OWNER, nothing written); lists hold only
   * theirs. Calls that span every user's data (retention, clear, vacuum, stats, import) are
   * ADMIN_ONLY there. Shares the connection: closing it does not close this repository.
   */
  forOwner(ownerId: string): ChatRepository;
  /** The user a forOwner repository acts as; null on the unscoped (administrator's) repository. */
  readonly ownerId: string | null;
  addEvent(event: NewChatEvent): Promise<AddEventResult>;
  getEvents(conversationId: string, opts?: GetEventsOptions): Promise<ChatEvent[]>;
  getConversationHistory(conversationId: string, opts?: HistoryOptions): Promise<ChatEvent[]>;
  listConversations(opts?: ListConversationsOptions): Promise<ConversationPage>;
  getEventByRequestId(conversationId: string, requestId: string): Promise<ChatEvent | null>;
  getLastAssistantReplyId(conversationId: string, userRequestId: string): Promise<string | null>;
  /** `extra` is merged into the reply's extra (e.g. `{ interrupted: true }` for a recovered turn). */
  compactDeltas(
    conversationId: string,
    userRequestId: string,
    finalContent: Content,
    model?: string | null,
    extra?: JsonObject,
  ): Promise<ChatEvent>;
  handleClearSession(): Promise<boolean>;
  handleUserMessagePersistence(conversationId: string, userMsg: Content, requestId: string): Promise<boolean>;
  getExistingAssistantResponse(conversationId: string, requestId: string): Promise<ChatEvent | null>;
  buildLlmConversation(
    conversationId: string,
    userMsg: Content,
    systemPrompt: string,
    opts?: BuildLlmConversationOptions,
  ): Promise<LlmMessage[]>;
  persistAssistantMessage(
    conversationId: string,
    requestId: string,
    content: Content,
    model: string | null,
    provider?: string | null,
  ): Promise<ChatEvent>;
  /** Every event of one user turn (its deltas, tool calls and results that carry user_request_id, reply). */
  getTurnEvents(conversationId: string, userRequestId: string): Promise<ChatEvent[]>;
  /** Turns that have streamed deltas and no assistant reply (a generation was interrupted). */
  listUnfinishedTurns(): Promise<UnfinishedTurn[]>;
  /**
   * Removes streamed deltas whose reply is already stored; returns how many. Such rows were left
   * by generators that lost their claim and died before compacting, before writes became
   * claim-conditional (appendHeld); the server's start-up recovery still runs it for databases
   * written by those versions.
   */
  deleteOrphanDeltas(): Promise<number>;
  /** Takes (or renews, or takes over when stale) the claim on a turn, atomically across processes. */
  claimTurn(input: ClaimTurnInput): Promise<ClaimTurnResult>;
  getTurnClaim(key: TurnKey): Promise<TurnClaim | null>;
  /** The claims held in one conversation (its turns in flight), oldest first. */
  listTurnClaims(conversationId: string): Promise<TurnClaim[]>;
  /** Refreshes every claim `ownerId` holds; returns the turns it still holds. */
  heartbeatTurnClaims(ownerId: string): Promise<TurnKey[]>;
  /** Drops a claim; only its holder's release has an effect. */
  releaseTurnClaim(key: TurnKey, ownerId: string): Promise<void>;
  /** Claims whose heartbeat is older than `staleMs` (by the database clock). */
  listStaleTurnClaims(staleMs: number, limit?: number): Promise<TurnClaim[]>;
  /**
   * addEvent for a turn's generator: the event (of `turn.conversationId`, with
   * `extra.user_request_id === turn.userRequestId`) is appended only if `turn.ownerId` holds the
   * turn's claim, checked in the same statement as the insert, so a generator that lost its
   * claim (taken over while it was paused, or its conversation deleted) writes nothing.
   */
  appendHeld(turn: HeldTurn, event: NewChatEvent): Promise<HeldAppendResult>;
  /**
   * compactDeltas for a turn's generator (attempt `turn.attempt`): the reply is stored and the
   * attempt's deltas removed only if `turn.ownerId` holds the turn's claim, in the same atomic
   * job; otherwise nothing changes and the result carries whatever reply is stored.
   */
  compactHeld(
    turn: HeldTurn,
    finalContent: Content,
    model?: string | null,
    extra?: JsonObject,
  ): Promise<HeldCompactResult>;
  /**
   * Inserts complete events (from an export) with their own ids, seqs and timestamps, all in one
   * transaction: any invalid or conflicting event rolls back everything (its position is in the
   * error's details.index). Events already present (same id, conversation and seq) are skipped.
   */
  importEvents(
    events: Iterable<ChatEvent> | AsyncIterable<ChatEvent>,
    opts?: ImportEventsOptions,
  ): Promise<ImportResult>;
  /** One conversation's summary (as listConversations gives it), or null when it has no events. */
  getConversation(conversationId: string): Promise<ConversationSummary | null>;
  stats(): Promise<RepositoryStats>;
  /**
   * Erases one conversation: its events, its summary and every saved session of it, in one
   * transaction (all or nothing). Afterwards the conversation id is unknown, as if never used; a
   * later event with that id starts a new conversation at seq 1. Deleting an unknown id removes
   * nothing and is not an error.
   */
  deleteConversation(conversationId: string): Promise<DeleteConversationResult>;
  /**
   * Names a conversation (a person's rename): from then on its summary's `title` is this one,
   * not the one taken from the first message; null goes back to that. The title is 1 to
   * TITLE_MAX_CHARS characters of one line, stored as given (anything else is
   * INVALID_ARGUMENT). NOT_FOUND for a conversation with no events. Deleting the conversation
   * removes its title with it.
   */
  setConversationTitle(conversationId: string, title: string | null): Promise<void>;
  /**
   * Gives the space freed by deletions (retention, clear, deleteConversation) back to the file
   * system. The first run on a database switches it to incremental auto-vacuum with one full
   * VACUUM, which holds the write lock while it rewrites the file; every later run releases the
   * free pages in small slices, each a short transaction, so it is safe beside live writers.
   */
  vacuum(): Promise<VacuumResult>;
  runRetention(): Promise<RetentionResult>;
  saveSession(conversationId: string, name?: string): Promise<string>;
  /** Every saved session, newest first. */
  listSavedSessions(): Promise<SavedSession[]>;
  /** The same list one bounded page at a time. */
  listSavedSessionsPage(opts?: ListSavedSessionsOptions): Promise<SavedSessionPage>;
  loadSavedSession(savedId: string): Promise<ChatEvent[]>;
  /** The same events one bounded page at a time (default 200, at most 1000). */
  loadSavedSessionPage(savedId: string, opts?: LoadSavedSessionOptions): Promise<SavedEventsPage>;
  /**
   * Removes one saved session: the snapshot's record, not the conversation's events, which stay
   * readable as before. Once no saved session of the conversation is left, retention and the
   * clear trigger treat it like any unsaved conversation. Returns false when no saved session has
   * that id (nothing removed; not an error, so a removal can be repeated safely).
   */
  deleteSavedSession(savedId: string): Promise<boolean>;
  close(): Promise<void>;
}
