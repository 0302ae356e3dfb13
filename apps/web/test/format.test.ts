import { describe, expect, it } from "vitest";
import { formatBytes, formatRelative } from "../src/format.ts";
import { sendProblemOf } from "../src/send-errors.ts";

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe("what the sidebar and the notices say", () => {
  it("says when a conversation was active as people say it", () => {
    expect(formatRelative(ago(20_000), NOW)).toBe("just now");
    expect(formatRelative(ago(5 * 60_000), NOW)).toMatch(/^5 min\.? ago$/);
    expect(formatRelative(ago(3 * 3_600_000), NOW)).toMatch(/^3 hr\.? ago$/);
    expect(formatRelative(ago(30 * 3_600_000), NOW)).toBe("yesterday");
    expect(formatRelative(ago(4 * 86_400_000), NOW)).not.toMatch(/\d{4}/); // this year: no year
    expect(formatRelative(new Date(Date.UTC(2024, 2, 3)).toISOString(), NOW)).toContain("2024");
    expect(formatRelative("not a date", NOW)).toBe("not a date");
  });

  it("says byte limits in the units people read", () => {
    expect(formatBytes(900)).toBe("900 bytes");
    expect(formatBytes(2048)).toBe("2 KB");
    expect(formatBytes(64 * 1024)).toBe("64 KB");
    expect(formatBytes(1.5 * 1024 * 1024)).toBe("1.5 MB");
  });

  it("tells a too-large message and an unreachable server from other failures", () => {
    const body = JSON.stringify({ error: { code: "PAYLOAD_TOO_LARGE", message: "x", maxBytes: 2048 } });
    expect(sendProblemOf(new Error(body))).toEqual({ kind: "too-large", maxBytes: 2048 });
    expect(sendProblemOf(new TypeError("Failed to fetch"))).toEqual({ kind: "unreachable" });
    expect(sendProblemOf(new Error("network error"))).toEqual({ kind: "unreachable" });
    expect(sendProblemOf(new Error(JSON.stringify({ error: { code: "BUSY" } })))).toEqual({ kind: "other" });
    expect(sendProblemOf(new Error("<html>"))).toEqual({ kind: "other" });
  });
});
