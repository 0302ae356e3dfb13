import type { ChatEvent, Content, JsonValue } from "@chatlog/core";
import { printable, printableText } from "./printable.ts";
import type { Style } from "./style.ts";

const INDENT = "    ";

/** `2025-01-31 12:00:00.123 UTC`: always UTC, to the millisecond, whatever the machine's zone. */
export function utcTime(date: Date): string {
  return `${date.toISOString().replace("T", " ").replace("Z", "")} UTC`;
}

/** Text parts joined by newlines (as the model sees them); other parts shown as placeholders. */
export function contentText(content: Content): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "text" ? String(part.text) : `[${part.type} part]`)).join("\n");
}

function argumentsText(args: JsonValue): string {
  return printable(typeof args === "string" ? args : JSON.stringify(args));
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => INDENT + line)
    .join("\n");
}

/**
 * Renders events one at a time (the caller streams them in seq order). It remembers each tool
 * call's name so a result can say which call it answers.
 */
export class TranscriptRenderer {
  private readonly toolNames = new Map<string, string>();

  constructor(private readonly style: Style) {}

  render(event: ChatEvent): string {
    const s = this.style;
    const lines: string[] = [];
    const head = [s.dim(`#${event.seq}`), s.dim(utcTime(event.createdAt)), this.label(event)];
    const about = [event.model, event.provider].filter(
      (v): v is string => typeof v === "string" && v.length > 0,
    );
    if (about.length > 0) head.push(s.dim(`(${printable(about.join(", "))})`));
    if (event.stopReason) head.push(s.dim(`[${printable(event.stopReason)}]`));
    // A reply finalized from its persisted deltas after a crash or a lost generator.
    if (event.type === "assistant_message" && event.extra.interrupted === true) {
      head.push(s.red("[interrupted: partial reply]"));
    }
    lines.push(head.join("  "));

    // Every stored string is escaped before it reaches the terminal (see printable.ts).
    const text = printableText(contentText(event.content));
    if (text.length > 0) lines.push(event.type === "meta" ? s.dim(indent(text)) : indent(text));
    for (const call of event.toolCalls) {
      this.toolNames.set(call.id, call.name);
      lines.push(
        indent(
          `${s.yellow("→")} ${s.bold(printable(call.name))}(${argumentsText(call.arguments)}) ${s.dim(`id=${printable(call.id)}`)}`,
        ),
      );
    }
    if (event.corruptFields) lines.push(indent(s.red(`(undecodable: ${event.corruptFields.join(", ")})`)));
    return `${lines.join("\n")}\n`;
  }

  private label(event: ChatEvent): string {
    const s = this.style;
    switch (event.type) {
      case "user_message":
        return s.bold(s.green("user"));
      case "assistant_message":
        return s.bold(s.blue("assistant"));
      case "tool_call":
        return s.bold(s.yellow(`${event.role ?? "assistant"} · tool call`));
      case "tool_result": {
        const callId = event.extra.tool_call_id;
        if (typeof callId !== "string") return s.bold(s.magenta("tool result"));
        const name = this.toolNames.get(callId);
        return s.bold(s.magenta(`tool result ← ${name ? `${printable(name)} ` : ""}id=${printable(callId)}`));
      }
      case "system_update": {
        const visible = event.extra.visible_to_model === true ? "visible to model" : "hidden from model";
        return `${s.bold(s.cyan("system"))} ${s.dim(`(${visible})`)}`;
      }
      case "meta": {
        const kind = event.extra.kind;
        return s.dim(`meta${typeof kind === "string" ? ` · ${printable(kind)}` : ""}`);
      }
      default:
        return s.bold(printable(String(event.type)));
    }
  }
}
