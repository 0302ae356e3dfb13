import type { Section } from "./section.ts";
import { appendSection } from "./sections/append.ts";
import { compactSection } from "./sections/compact.ts";
import { getEventsSection } from "./sections/get-events.ts";
import { groupCommitSection } from "./sections/group-commit.ts";
import { historySection } from "./sections/history.ts";
import { listConversationsSection } from "./sections/list-conversations.ts";
import { ownerListSection } from "./sections/owner-list.ts";
import { retentionUnderLoadSection } from "./sections/retention-under-load.ts";

/**
 * The sections, in the order they run and print. To add one: write sections/<name>.ts exporting
 * a Section, and list it here.
 */
export const SECTIONS: readonly Section[] = [
  appendSection,
  compactSection,
  historySection,
  getEventsSection,
  listConversationsSection,
  ownerListSection,
  groupCommitSection,
  retentionUnderLoadSection,
];
