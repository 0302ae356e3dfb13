import type { Statement } from "./executor.ts";

/**
 * Every statement the engine runs, by name. A dialect's statements file must define each one
 * (`satisfies Statements`), so the compiler refuses a dialect that lacks one; the SQL itself
 * lives in the dialect, once.
 */
export const STATEMENT_NAMES = [
  // events and history
  "append",
  "appendUnanswered",
  "appendHeld",
  "heldClaim",
  "findDuplicate",
  "byRequestId",
  "replyTo",
  "replyIdTo",
  "eventsForward",
  "eventsBackward",
  "history",
  "historyAll",
  "lastSeq",
  "listConversations",
  "listOwnerConversations",
  "conversationSummary",
  // owners
  "claimConversation",
  "foreignConversation",
  "turnEvents",
  // turns and claims
  "deleteDeltas",
  "deleteDeltasHeld",
  "deleteOrphanDeltas",
  "unfinishedTurns",
  "claimTurn",
  "turnClaim",
  "conversationClaims",
  "heartbeatClaims",
  "releaseClaim",
  "staleClaims",
  // import
  "stageImport",
  "stagedConflict",
  "publishImport",
  "unstageSlice",
  "sweepStagingSlice",
  // retention, deletion and statistics
  "statsByType",
  "statsConversations",
  "statsSize",
  "bumpCounter",
  "wipeSlice",
  "deleteBeforeSlice",
  "conversationsWithOldEvents",
  "turnBoundary",
  "turnBoundaryAfter",
  "conversationsBeyond",
  "unsavedEventCount",
  "unsavedTimeAt",
  "refreshConversationStart",
  "conversationFootprint",
  "deleteConversationEvents",
  "deleteConversationSaved",
  "deleteConversationSummary",
  "deleteConversationClaims",
  "setConversationTitle",
  // saved sessions
  "saveSession",
  "trimSavedSessions",
  "expireSavedSessions",
  "listSavedSessions",
  "savedSessionsPage",
  "savedSession",
  "deleteSavedSession",
  "savedEvents",
] as const;

export type StatementName = (typeof STATEMENT_NAMES)[number];

/**
 * A dialect's statements: one per name (its file may hold dialect-only ones beside them, e.g.
 * SQLite's pragmas, which only that dialect's own code runs).
 */
export type Statements = Readonly<Record<StatementName, Statement>> & Readonly<Record<string, Statement>>;

/**
 * A statement with its SQL on one line. Parameters are :named in every dialect (an executor
 * rewrites them to its driver's placeholders); values are never spliced into the text.
 */
export function statement(name: string, sql: string): Statement {
  return { name, sql: sql.trim().replace(/\s+/g, " ") };
}
