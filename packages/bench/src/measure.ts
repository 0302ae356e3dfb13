import { performance } from "node:perf_hooks";

/** One timed piece of work. Throughput is `ops` divided by the wall time of `run`. */
export interface Workload {
  /** Operations one run performs. */
  readonly ops: number;
  /** Untimed work before every run (e.g. writing the deltas a compaction then removes). */
  readonly prepare?: () => Promise<void> | void;
  readonly run: () => Promise<void> | void;
}

export interface Plan {
  /** Untimed runs first, so prepared statements, page caches and the JIT are warm. */
  readonly warmup: number;
  /** Timed runs; the median is reported, so one run disturbed by a neighbour does not count. */
  readonly reps: number;
  /**
   * "wall" (default): elapsed time. "cpu": this process's CPU time (user + system), so load from
   * other processes on a shared machine does not land on the figures. Only for work done in this
   * process: waits (network latency, another process's lock) cost no CPU.
   */
  readonly clock?: "wall" | "cpu";
}

/** Median throughput in operations per second, with the samples it came from. */
export interface Throughput {
  readonly opsPerSec: number;
  readonly samples: readonly number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function sample(work: Workload, clock: Plan["clock"]): Promise<number> {
  await work.prepare?.();
  if (clock === "cpu") {
    const start = process.cpuUsage();
    await work.run();
    const used = process.cpuUsage(start);
    return work.ops / ((used.user + used.system) / 1e6);
  }
  const start = performance.now();
  await work.run();
  const seconds = (performance.now() - start) / 1000;
  return work.ops / seconds;
}

/**
 * Measures several workloads side by side. Their runs are interleaved (A B C, A B C, ...) rather
 * than run one block after another, so noise from other processes on this shared machine and
 * drift such as a growing database fall on every workload alike, and the ratios stay fair.
 */
export async function measureSideBySide(workloads: readonly Workload[], plan: Plan): Promise<Throughput[]> {
  for (let i = 0; i < plan.warmup; i++) for (const work of workloads) await sample(work, plan.clock);
  const samples: number[][] = workloads.map(() => []);
  for (let i = 0; i < plan.reps; i++) {
    for (const [index, work] of workloads.entries()) samples[index]!.push(await sample(work, plan.clock));
  }
  return samples.map((s) => ({ opsPerSec: median(s), samples: s }));
}

/**
 * `count` library calls one after another, each awaited (the single-caller pattern). Raw
 * baselines loop synchronously instead: awaiting a plain value would add a microtask per call
 * and flatter the library.
 */
export function awaitEach(count: number, op: (i: number) => Promise<unknown>): () => Promise<void> {
  return async () => {
    for (let i = 0; i < count; i++) await op(i);
  };
}

/**
 * For sections whose runs are short: twice the runs (odd, so the median is one sample), each half
 * as long. Bursts from neighbouring processes spoil single runs; more runs outvote them.
 */
export function shortRuns(plan: Plan): Plan {
  return { ...plan, warmup: plan.warmup + 1, reps: plan.reps * 2 + 1 };
}
