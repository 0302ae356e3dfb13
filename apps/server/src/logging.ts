import type { LogLevel } from "./config.ts";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function errorFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      value instanceof Error
        ? { name: value.name, message: value.message, code: (value as { code?: unknown }).code }
        : value;
  }
  return out;
}

/**
 * One JSON object per line on stdout, so a log collector (or a test reading a child process)
 * can parse every line. "silent" drops everything, for quiet test runs.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger {
  const threshold = RANK[level];
  const log = (at: Exclude<LogLevel, "silent">, message: string, fields: LogFields = {}) => {
    if (RANK[at] < threshold) return;
    write(
      `${JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...errorFields(fields) })}\n`,
    );
  };
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
  };
}
