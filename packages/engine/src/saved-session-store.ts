import {
  assertId,
  type ChatEvent,
  ChatlogError,
  type ListSavedSessionsOptions,
  type LoadSavedSessionOptions,
  type SavedEventsPage,
  type SavedSession,
  type SavedSessionPage,
  uuidv7,
} from "@chatlog/core";
import type { EventStore } from "./event-store.ts";
import type { Row, Step } from "./executor.ts";
import {
  DEFAULT_EVENT_PAGE,
  DEFAULT_LIST_PAGE,
  decodeSavedCursor,
  encodeSavedCursor,
  eventRange,
  limitOf,
  MAX_LIST_PAGE,
} from "./paging.ts";
import { dateOf, type RepositoryContext, RepositoryPart } from "./repository-part.ts";
import { completeSavedTurns, unansweredTurns } from "./saved-turns.ts";

/** Saved sessions: snapshots of a conversation that retention and the full wipe leave alone. */
export class SavedSessionStore extends RepositoryPart {
  constructor(
    context: RepositoryContext,
    private readonly events: EventStore,
  ) {
    super(context);
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
      const reply = await this.events.getExistingAssistantResponse(conversationId, requestId);
      if (reply !== null) replies.set(requestId, reply);
    }
    return completeSavedTurns(events, replies);
  }
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
