import type { RepositoryOptions, RetentionResult } from "@chatlog/core";
import type { SqlExecutor } from "./executor.ts";
import { deleteInSlices } from "./sliced-delete.ts";
import type { Statements } from "./statement-names.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The retention policies of SPEC section 6. Every deletion skips saved conversations and cuts a
 * conversation only at the start of a turn (a user message), so no tool call loses its result
 * and no streamed reply is left half deleted. Deletions run in small slices,
 * each its own short transaction (see sliced-delete.ts).
 */
export class RetentionRunner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RetentionResult> | null = null;

  constructor(
    private readonly executor: SqlExecutor,
    private readonly sql: Statements,
    private readonly options: RepositoryOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the background interval, if one is configured. It never keeps the process alive. */
  start(): void {
    const minutes = this.options.retention?.cleanupIntervalMinutes;
    if (!minutes) return;
    const onError =
      this.options.onBackgroundError ?? ((e) => console.error("chatlog: retention run failed", e));
    this.timer = setInterval(() => {
      // A failed run is reported and the next one still happens on schedule.
      this.run().catch(onError);
    }, minutes * 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One run of every configured policy; concurrent callers share the run in progress. */
  run(): Promise<RetentionResult> {
    this.running ??= this.runPolicies().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runPolicies(): Promise<RetentionResult> {
    const result: RetentionResult = {
      deletedByAge: 0,
      deletedByMaxMessages: 0,
      deletedByMaxSessions: 0,
      expiredSavedSessions: 0,
      removedConversations: 0,
    };
    const { retention = {}, savedSessions = {} } = this.options;
    const now = this.now();

    if (savedSessions.retentionDays !== undefined) {
      const rows = await this.executor.all({
        statement: this.sql.expireSavedSessions,
        args: { cutoff_ms: now - savedSessions.retentionDays * DAY_MS },
      });
      result.expiredSavedSessions = rows.length;
    }
    if (retention.maxSessions !== undefined) {
      const rows = await this.executor.all({
        statement: this.sql.conversationsBeyond,
        args: { keep: retention.maxSessions },
      });
      for (const row of rows) {
        result.deletedByMaxSessions += await this.deleteBefore(
          String(row.conversation_id),
          Number.MAX_SAFE_INTEGER,
        );
      }
      result.removedConversations += rows.length;
    }
    if (retention.maxAgeHours !== undefined) {
      // An age cut keeps a turn that began before the cutoff whole (nothing of it is deleted).
      const age = await this.pruneOlderThan(now - retention.maxAgeHours * HOUR_MS, "keep-straddling");
      result.deletedByAge = age.deleted;
      result.removedConversations += age.emptied;
    }
    if (retention.maxMessages !== undefined) {
      const [count] = await this.executor.all({ statement: this.sql.unsavedEventCount, args: {} });
      const excess = Number(count?.n ?? 0) - retention.maxMessages;
      if (excess > 0) {
        const [oldest] = await this.executor.all({
          statement: this.sql.unsavedTimeAt,
          args: { offset: excess - 1 },
        });
        if (oldest) {
          // A maximum is a maximum: a turn straddling the cut goes whole, leaving fewer events.
          const capped = await this.pruneOlderThan(Number(oldest.created_at_ms) + 1, "drop-straddling");
          result.deletedByMaxMessages = capped.deleted;
          result.removedConversations += capped.emptied;
        }
      }
    }
    return result;
  }

  /**
   * Deletes each unsaved conversation's events older than `cutoffMs`, cutting only at a turn
   * start: the one before the first event that stays ("keep-straddling": the turn that spans the
   * cutoff survives whole) or the one after it ("drop-straddling": that turn goes whole).
   */
  private async pruneOlderThan(
    cutoffMs: number,
    straddling: "keep-straddling" | "drop-straddling",
  ): Promise<{ deleted: number; emptied: number }> {
    const conversations = await this.executor.all({
      statement: this.sql.conversationsWithOldEvents,
      args: { cutoff_ms: cutoffMs },
    });
    let deleted = 0;
    let emptied = 0;
    for (const row of conversations) {
      const conversationId = String(row.conversation_id);
      const [cut] = await this.executor.all({
        statement: straddling === "keep-straddling" ? this.sql.turnBoundary : this.sql.turnBoundaryAfter,
        args: { conversation_id: conversationId, cutoff_ms: cutoffMs },
      });
      const noBoundary = cut?.boundary === null || cut?.boundary === undefined;
      if (
        cut?.first_new === null ||
        cut?.first_new === undefined ||
        (straddling === "drop-straddling" && noBoundary)
      ) {
        deleted += await this.deleteBefore(conversationId, Number.MAX_SAFE_INTEGER);
        emptied += 1;
      } else if (cut.boundary !== null && cut.boundary !== undefined) {
        deleted += await this.deleteBefore(conversationId, Number(cut.boundary));
        await this.executor.all({
          statement: this.sql.refreshConversationStart,
          args: { conversation_id: conversationId },
        });
      }
    }
    return { deleted, emptied };
  }

  private deleteBefore(conversationId: string, beforeSeq: number): Promise<number> {
    return deleteInSlices(this.executor, (batch) => ({
      statement: this.sql.deleteBeforeSlice,
      args: { conversation_id: conversationId, before_seq: beforeSeq, batch },
    }));
  }
}
