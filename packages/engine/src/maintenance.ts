import {
  assertId,
  type ChatEvent,
  ChatlogError,
  type DeleteConversationResult,
  type ImportEventsOptions,
  type ImportResult,
  type RepositoryStats,
  type RetentionResult,
  type VacuumResult,
} from "@chatlog/core";
import type { DatabasePragmas } from "./dialect.ts";
import { importEvents } from "./import-events.ts";
import { dateOf, type RepositoryContext, RepositoryPart } from "./repository-part.ts";
import { RetentionRunner } from "./retention.ts";
import { deleteInSlices } from "./sliced-delete.ts";

/**
 * Retention and maintenance: the clear trigger and full wipe, retention runs, erasure of a
 * conversation, import, statistics, vacuum and the connection's pragmas.
 */
const CLEAR_COUNTER = "clear_session_calls";

export class Maintenance extends RepositoryPart {
  readonly retention: RetentionRunner;

  constructor(context: RepositoryContext) {
    super(context);
    this.retention = new RetentionRunner(this.executor, this.sql, this.options);
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

  async importEvents(
    events: Iterable<ChatEvent> | AsyncIterable<ChatEvent>,
    opts: ImportEventsOptions = {},
  ): Promise<ImportResult> {
    this.ensureAdmin("importEvents");
    for (const owner of opts.owners?.values() ?? []) assertId(owner, "owners");
    return importEvents(this.executor, this.dialect, this.queue, events, opts.owners);
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

  async vacuum(): Promise<VacuumResult> {
    this.ensureAdmin("vacuum");
    return this.dialect.vacuum(this.executor);
  }

  async runRetention(): Promise<RetentionResult> {
    this.ensureAdmin("runRetention");
    return this.retention.run();
  }

  /** The pragmas in force on this repository's connection (SQLite: WAL, synchronous, busy timeout). */
  async pragmas(): Promise<DatabasePragmas> {
    this.ensureAdmin("pragmas");
    if (this.dialect.pragmas === undefined) {
      throw new ChatlogError("FEATURE_DISABLED", `a ${this.dialect.name} database has no pragmas`);
    }
    return this.dialect.pragmas(this.executor);
  }

  private async wipeUnsaved(): Promise<void> {
    await deleteInSlices(this.executor, (batch) => ({ statement: this.sql.wipeSlice, args: { batch } }));
  }
}
