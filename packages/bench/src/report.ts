/**
 * A ratio target: the line passes when `ratio >= min`. `text` says it the way the goal was set
 * ("≥ 0.70 of raw", "100k within 2x of 1k").
 */
export interface Target {
  /** Passes when ratio >= min (throughput lines). */
  readonly min?: number;
  /** Passes when ratio <= max (latency lines, where lower is better). */
  readonly max?: number;
  readonly text: string;
}

/** One printed row: the library's figure, the baseline's, and their ratio. */
export interface BenchLine {
  readonly operation: string;
  /** Library throughput (operations per second, see `unit`), or a latency when unit is "ms". */
  readonly library: number;
  /** Baseline throughput in the same unit, measured in the same run. */
  readonly baseline: number;
  /** What the baseline is, when it is not the raw better-sqlite3 equivalent (e.g. "lib @1k"). */
  readonly baselineLabel?: string;
  /** What one operation is ("ops/s" for calls, "events/s" for appended events). */
  readonly unit: string;
  readonly target?: Target;
}

export interface LineResult extends BenchLine {
  readonly ratio: number;
  readonly verdict: "PASS" | "FAIL" | "";
}

export function judge(line: BenchLine): LineResult {
  const ratio = line.library / line.baseline;
  const { target } = line;
  const ok =
    target === undefined || (ratio >= (target.min ?? -Infinity) && ratio <= (target.max ?? Infinity));
  const verdict = target === undefined ? "" : ok ? "PASS" : "FAIL";
  return { ...line, ratio, verdict };
}

function formatRate(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "n/a";
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

const HEADERS = ["operation", "library", "baseline", "ratio (lib/base)", "target", "result"] as const;

/** A plain-text table; ratios are throughput ratios, so higher is better for the library. */
export function formatTable(title: string, results: readonly LineResult[]): string {
  const rows = results.map((r) => [
    r.operation,
    formatRate(r.library, r.unit),
    `${formatRate(r.baseline, r.unit)}${r.baselineLabel ? ` (${r.baselineLabel})` : ""}`,
    Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : "n/a",
    r.target?.text ?? "-",
    r.verdict === "" ? "-" : r.verdict,
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ");
  const rule = widths.map((w) => "-".repeat(w)).join("-|-");
  return [title, line(HEADERS), rule, ...rows.map(line)].join("\n");
}
