/**
 * A new conversation id. crypto.randomUUID needs a secure context, which a phone on the LAN
 * reaching http://<ip>:3000 is not, so the fallback builds 128 random bits itself.
 */
export function newConversationId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
