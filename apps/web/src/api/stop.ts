import { authorizedFetch } from "./http.ts";

/**
 * Asks the server to stop the reply being generated (`POST /api/chat/{id}/stop`): it ends the
 * model call and stores what was generated as the reply, marked stopped. "stopped" when it
 * did; "nothing" when no reply was in flight (409 NO_TURN_IN_FLIGHT: it had just ended);
 * "unsupported" when the server has no such route (404), so the caller can only stop reading.
 */
export async function requestStop(conversationId: string): Promise<"stopped" | "nothing" | "unsupported"> {
  const response = await authorizedFetch(`/api/chat/${encodeURIComponent(conversationId)}/stop`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  if (response.ok) return "stopped";
  if (response.status === 409) return "nothing";
  return "unsupported";
}
