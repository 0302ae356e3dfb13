import { describe } from "vitest";
import { addEventCases } from "./cases/add-event.ts";
import { badInputCases } from "./cases/bad-input.ts";
import { callOrderCases } from "./cases/call-order.ts";
import { clearSessionCases } from "./cases/clear-session.ts";
import { compactionCases } from "./cases/compaction.ts";
import { conversationTitleCases } from "./cases/conversation-title.ts";
import { corruptRowCases } from "./cases/corrupt-rows.ts";
import { deleteConversationCases } from "./cases/delete-conversation.ts";
import { deleteSavedSessionCases } from "./cases/delete-saved-session.ts";
import { heldWriteCases } from "./cases/held-writes.ts";
import { hostileInputCases } from "./cases/hostile-input.ts";
import { importFuzzCases } from "./cases/import-fuzz.ts";
import { importIsolationCases } from "./cases/import-isolation.ts";
import { importStatsCases } from "./cases/import-stats.ts";
import { lifecycleCases } from "./cases/lifecycle.ts";
import { listConversationCases } from "./cases/list-conversations.ts";
import { llmConversationCases } from "./cases/llm-conversation.ts";
import { openErrorCases } from "./cases/open-errors.ts";
import { ownershipCases } from "./cases/ownership.ts";
import { pagingCases } from "./cases/paging.ts";
import { readCases } from "./cases/reads.ts";
import { replyAttemptCases } from "./cases/reply-attempts.ts";
import { requestIdCases } from "./cases/request-ids.ts";
import { retentionCases } from "./cases/retention.ts";
import { savedSessionCases } from "./cases/saved-sessions.ts";
import { seedDefectCases } from "./cases/seed-defects.ts";
import { seqBoundCases } from "./cases/seq-bounds.ts";
import { turnEventCases } from "./cases/turn-events.ts";
import { turnCases } from "./cases/turns.ts";
import { vacuumCases } from "./cases/vacuum.ts";
import type { DriverHarness } from "./harness.ts";

/**
 * Registers every conformance case for one driver configuration. Each case opens its own
 * database through the harness and disposes it, so cases share nothing and run in any order.
 */
export function describeConformance(harness: DriverHarness): void {
  describe(`conformance: ${harness.name}`, () => {
    addEventCases(harness);
    callOrderCases(harness);
    readCases(harness);
    listConversationCases(harness);
    pagingCases(harness);
    requestIdCases(harness);
    turnCases(harness);
    compactionCases(harness);
    turnEventCases(harness);
    replyAttemptCases(harness);
    heldWriteCases(harness);
    llmConversationCases(harness);
    seedDefectCases(harness);
    badInputCases(harness);
    hostileInputCases(harness);
    corruptRowCases(harness);
    retentionCases(harness);
    savedSessionCases(harness);
    clearSessionCases(harness);
    importStatsCases(harness);
    importIsolationCases(harness);
    importFuzzCases(harness);
    seqBoundCases(harness);
    deleteConversationCases(harness);
    conversationTitleCases(harness);
    deleteSavedSessionCases(harness);
    lifecycleCases(harness);
    openErrorCases(harness);
    vacuumCases(harness);
    ownershipCases(harness);
  });
}
