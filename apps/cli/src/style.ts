/** ANSI styling, applied only when enabled (a terminal without NO_COLOR). */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

/**
 * Colour on a terminal, plain when piped or redirected. NO_COLOR (any non-empty value) always
 * wins; FORCE_COLOR (non-empty, not "0") turns colour on for a pipe, e.g. `| less -R`.
 */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

function sgr(enabled: boolean, open: number, close: number): (text: string) => string {
  return enabled ? (text) => `\x1b[${open}m${text}\x1b[${close}m` : (text) => text;
}

export function makeStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: sgr(enabled, 1, 22),
    dim: sgr(enabled, 2, 22),
    red: sgr(enabled, 31, 39),
    green: sgr(enabled, 32, 39),
    yellow: sgr(enabled, 33, 39),
    blue: sgr(enabled, 34, 39),
    magenta: sgr(enabled, 35, 39),
    cyan: sgr(enabled, 36, 39),
  };
}
