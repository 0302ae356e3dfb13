/**
 * Stored text is whatever a client sent, so before it reaches a terminal every character that a
 * terminal would act on instead of print is shown as a visible escape: C0 controls (ESC starts
 * the escape sequences that move the cursor, retitle the window or rewrite the screen), DEL, C1
 * controls (0x80-0x9f, which some terminals take as CSI), and the Unicode bidirectional
 * overrides that make text display in another order than it is stored. JSON output never goes
 * through here: it stays exact (JSON.stringify escapes the C0 controls itself).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Multi-line text keeps its line feeds and tabs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** A one-line field (an id, a name, a model): every control character, newlines included, escaped. */
export function printable(text: string): string {
  return text.replace(UNSAFE_LINE, visible);
}

/** Message text: line feeds and tabs kept, every other control character escaped. */
export function printableText(text: string): string {
  return text.replace(UNSAFE_TEXT, visible);
}
