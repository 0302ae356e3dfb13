import { type ChatEvent, ChatlogError, isPlainObject } from "@chatlog/core";

/**
 * The export file format. Bump VERSION on any change an older reader would misread. Version 2
 * added each event line's `ownerId` (its conversation's owner, or null); version 1 files (no
 * owners) still import.
 */
export const FORMAT_NAME = "chatlog-export";
export const FORMAT_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

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
export function eventLine(event: ChatEvent, ownerId?: string | null): string {
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
    // Export lines carry it (null for nobody's); other JSON lines of events (saved load) do not.
    ...(ownerId === undefined ? {} : { ownerId }),
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
  if (typeof value.version !== "number" || !READABLE_VERSIONS.includes(value.version)) {
    throw lineError(
      line,
      `unsupported export version ${JSON.stringify(value.version)} (this chatlog reads ${READABLE_VERSIONS.join(" and ")})`,
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
export function parseEventLine(
  text: string,
  line: number,
  version: number,
): { event: ChatEvent; ownerId: string | null } {
  const parsed = parseJson(text, line);
  if (!isPlainObject(parsed)) throw lineError(line, "an event line must be a JSON object");
  let ownerId: string | null = null;
  let value = parsed;
  if (version >= 2) {
    const { ownerId: owner, ...rest } = parsed;
    if (owner !== undefined && owner !== null && typeof owner !== "string") {
      throw lineError(line, "ownerId must be a string or null");
    }
    ownerId = owner ?? null;
    value = rest;
  }
  const { createdAt } = value;
  if (typeof createdAt !== "string" || !ISO_TIME.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    throw lineError(line, "createdAt must be an ISO 8601 time with a zone, e.g. 2025-01-31T12:00:00.000Z");
  }
  return { event: { ...value, createdAt: new Date(createdAt) } as unknown as ChatEvent, ownerId };
}
