import type { UIMessage } from "ai";

/** A message a send took out of the box that the server had not accepted when the box went away. */
export interface Unsent {
  /** Its user message id, when useChat had made one: the server may have stored it after all. */
  id: string | null;
  text: string;
}

interface KeptDraft {
  text: string;
  unsent: Unsent | null;
}

/**
 * What each conversation's message box held, kept outside the components for the life of the
 * page: a 401 replaces the whole page with the token form (a send answered 401 stored nothing),
 * and opening another conversation unmounts the box; neither may throw typed text away.
 */
const kept = new Map<string, KeptDraft>();

/** Called as a conversation's box goes away. */
export function keepDraft(conversationId: string, text: string, unsent: Unsent | null): void {
  if (text === "" && unsent === null) kept.delete(conversationId);
  else kept.set(conversationId, { text, unsent });
}

/**
 * What the box of a conversation opening again starts with: the text it held, or else the
 * message it had sent unaccepted, unless `stored` (the messages the server has) shows that it
 * was accepted after all. `putBack` is that message while the server may still turn out to
 * have it (see Conversation's sync).
 */
export function takeDraft(
  conversationId: string,
  stored: readonly UIMessage[],
): { text: string; putBack: { id: string; text: string } | null } {
  const draft = kept.get(conversationId);
  kept.delete(conversationId);
  if (draft === undefined) return { text: "", putBack: null };
  const unsent = draft.unsent;
  if (unsent === null || (unsent.id !== null && stored.some((m) => m.id === unsent.id)))
    return { text: draft.text, putBack: null };
  const text = draft.text.trim() === "" ? unsent.text : draft.text;
  return { text, putBack: unsent.id === null ? null : { id: unsent.id, text: unsent.text } };
}
