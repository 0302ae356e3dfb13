import { StringDecoder } from "node:string_decoder";

/**
 * The lines of a JSONL stream, split on "\n" only (a trailing "\r" is dropped).
 *
 * Not node:readline: since Node 22 it also ends a line at U+2028 / U+2029, which JSON.stringify
 * leaves unescaped inside strings, so an exported message containing one would be cut in two.
 */
export async function* jsonlLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of input) {
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      yield stripCarriageReturn(pending.slice(start, newline));
      start = newline + 1;
      newline = pending.indexOf("\n", start);
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending !== "") yield stripCarriageReturn(pending);
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
