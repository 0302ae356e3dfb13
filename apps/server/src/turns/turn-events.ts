import type { JsonValue } from "@chatlog/core";

/** What a turn's subscribers receive, in order; the SSE route writes one event per item. */
export type TurnEvent =
  /** First item: how the reply is produced. `replay` is true when no model is called for it here. */
  | { type: "ready"; replay: boolean; source: "model" | "stored" | "other-process" }
  | { type: "delta"; text: string }
  | { type: "tool_call"; id: string; name: string; arguments: JsonValue }
  | { type: "tool_result"; toolCallId: string; name: string; result: JsonValue }
  | { type: "done"; eventId: string | null; seq: number | null; content: string; interrupted: boolean }
  | { type: "error"; code: string; message: string };
