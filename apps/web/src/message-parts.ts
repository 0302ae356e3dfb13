import type { DynamicToolUIPart, ToolUIPart, UIMessage } from "ai";

export type AnyToolPart = ToolUIPart | DynamicToolUIPart;

export function isToolPart(part: UIMessage["parts"][number]): part is AnyToolPart {
  return part.type === "dynamic-tool" || part.type.startsWith("tool-");
}

export function toolName(part: AnyToolPart): string {
  return part.type === "dynamic-tool" ? part.toolName : part.type.slice("tool-".length);
}

/** A reply the server stored cut short (shutdown, crash, model error): chatlog marks it in metadata. */
export function isInterrupted(message: UIMessage): boolean {
  const metadata = message.metadata as { interrupted?: unknown } | undefined;
  return metadata?.interrupted === true;
}

/** A reply the person stopped (the server stored what was generated until then). */
export function isStopped(message: UIMessage): boolean {
  const metadata = message.metadata as { stopped?: unknown } | undefined;
  return metadata?.stopped === true;
}

export function textOf(message: UIMessage): string {
  return message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}
