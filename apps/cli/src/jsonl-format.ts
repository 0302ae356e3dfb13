import { type ChatEvent, ChatlogError, isPlainObject } from "@chatlog/core";

/** The export file format. Bump VERSION on any change a version-1 reader would misread. */
export const FORMAT_NAME = "chatlog-export";
export const FORMAT_VERSION = 1;

export interface ExportHeader {
  format: typeof FORMAT_NAME;
  version: number;
  exportedAt: string;
}

export function headerLine(exportedAt: Date): string {
  const header: ExportHeader = {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    exportedAt: exportedAt.toISOString(),
  };
  return JSON.stringify(header);
}

/**
 * One event as one JSON line. Keys are written in a fixed order, every field is present (null
 * rather than missing), so two exports of the same events are byte-identical.
 */
export function eventLine(event: ChatEvent): string {
  return JSON.stringify({
    id: event.id,
    conversationId: event.conversationId,
    seq: event.seq,
    schemaVersion: event.schemaVersion,
    type: event.type,
    role: event.role,
    content: event.content,
    toolCalls: event.toolCalls,
    usage: event.usage,
    provider: event.provider,
    model: event.model,
    stopReason: event.stopReason,
    tokenCount: event.tokenCount,
    createdAt: event.createdAt.toISOString(),
    extra: event.extra,
    raw: event.raw,
  });
}

function lineError(line: number, message: string, cause?: unknown): ChatlogError {
  return new ChatlogError("INVALID_EVENT", `line ${line}: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { line },
  });
}

function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw lineError(line, `not valid JSON (${(error as Error).message})`, error);
  }
}

/** Checks the first line of a file; anything but a known format and version is refused. */
export function parseHeader(text: string, line: number): ExportHeader {
  const value = parseJson(text, line);
  if (!isPlainObject(value) || value.format !== FORMAT_NAME) {
    throw lineError(
      line,
      `not a chatlog export (the first line must be a header with "format": "${FORMAT_NAME}")`,
    );
  }
  if (value.version !== FORMAT_VERSION) {
    throw lineError(
      line,
      `unsupported export version ${JSON.stringify(value.version)} (this chatlog reads ${FORMAT_VERSION})`,
    );
  }
  return value as unknown as ExportHeader;
}

// ISO 8601 as Date#toISOString writes it (also accepted with fewer fraction digits or an offset).
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Decodes one event line. Only what JSON cannot carry is converted here (createdAt back to a
 * Date); every other check is the repository's own validation during the import.
 */
export function parseEventLine(text: string, line: number): ChatEvent {
  const value = parseJson(text, line);
  if (!isPlainObject(value)) throw lineError(line, "an event line must be a JSON object");
  const { createdAt } = value;
  if (typeof createdAt !== "string" || !ISO_TIME.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    throw lineError(line, "createdAt must be an ISO 8601 time with a zone, e.g. 2025-01-31T12:00:00.000Z");
  }
  return { ...value, createdAt: new Date(createdAt) } as unknown as ChatEvent;
}
