import type { JsonValue, ToolCall } from "@chatlog/core";

/** A tool part of either kind (`tool-<name>` or `dynamic-tool`), read loosely from stored JSON. */
export interface AnyToolPart {
  type: string;
  toolCallId: string;
  toolName?: string;
  state: string;
  input?: unknown;
  output?: unknown;
  errorText?: string;
  approval?: { id: string; approved?: boolean; reason?: string; [field: string]: unknown };
  preliminary?: boolean;
}

export function isToolPart(part: { type: string }): part is AnyToolPart {
  return (
    (part.type.startsWith("tool-") || part.type === "dynamic-tool") &&
    typeof (part as { toolCallId?: unknown }).toolCallId === "string"
  );
}

export function toolNameOf(part: AnyToolPart): string {
  return part.type === "dynamic-tool" ? String(part.toolName ?? "") : part.type.slice("tool-".length);
}

/** States in which the model has seen the call (everything but a still-streaming input). */
export function hasCall(part: AnyToolPart): boolean {
  return part.state !== "input-streaming";
}

/** States after which the tool part cannot change any more. */
export function isTerminal(part: AnyToolPart): boolean {
  return (
    (part.state === "output-available" && part.preliminary !== true) ||
    part.state === "output-error" ||
    part.state === "output-denied"
  );
}

/** How far a part has progressed; a part may be replaced only by one further along. */
export function progressOf(part: { type: string; state?: unknown; preliminary?: unknown }): number {
  if (isToolPart(part)) {
    switch (part.state) {
      case "input-streaming":
        return 0;
      case "input-available":
        return 1;
      case "approval-requested":
        return 2;
      case "approval-responded":
        return 3;
      case "output-available":
        return part.preliminary === true ? 4 : 5;
      default:
        return 5;
    }
  }
  return part.state === "streaming" ? 0 : 1;
}

/** The call as the model-facing history stores it (`ChatEvent.toolCalls`). */
export function toolCallOf(part: AnyToolPart): ToolCall {
  return {
    id: part.toolCallId,
    name: toolNameOf(part) || "tool",
    arguments: (part.input ?? {}) as JsonValue,
  };
}

/**
 * What the model is told a finished tool call returned: the output (JSON unless it is a string),
 * the error text, or the denial, as `convertToModelMessages` words it.
 */
export function resultTextOf(part: AnyToolPart): string {
  switch (part.state) {
    case "output-available":
      return typeof part.output === "string" ? part.output : (JSON.stringify(part.output) ?? "null");
    case "output-error":
      return part.errorText ?? "";
    default:
      return part.approval?.reason ?? "Tool call execution denied.";
  }
}
