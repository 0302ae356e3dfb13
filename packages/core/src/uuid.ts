import { getRandomValues } from "node:crypto";

/**
 * A UUID v7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made in time order
 * land next to each other in the primary-key index, which keeps appends cheap.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = getRandomValues(new Uint8Array(16));
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
