import type { JsonValue } from "@chatlog/core";

/**
 * What a turn's subscribers receive, in order. Both protocols are views of this one sequence:
 * the /v1 SSE route (http/sse.ts) and the AI SDK UI message stream (http/ui-message-stream.ts).
 */
export type TurnEvent =
  /**
   * First item: how the reply is produced (`replay` is true when no model is called for it
   * here) and the assistant message id that is (or will be) stored with it.
   */
  | {
      type: "ready";
      replay: boolean;
      source: "model" | "stored" | "other-process";
      messageId: string;
      attempt: number;
    }
  | { type: "delta"; text: string }
  | { type: "tool_call"; id: string; name: string; arguments: JsonValue }
  | { type: "tool_result"; toolCallId: string; name: string; result: JsonValue }
  /** The stored reply: `content` is what the database holds, whoever generated it. */
  | {
      type: "done";
      eventId: string | null;
      seq: number | null;
      content: string;
      interrupted: boolean;
      /** The generation was stopped on request; `content` is what it had said. */
      stopped: boolean;
    }
  | { type: "error"; code: string; message: string };
