/**
 * One benchmark figure beside its anchor, measured in the same run (the machine is shared and
 * noisy; only ratios travel). `ratio` is value / anchorValue unless the figure says otherwise.
 */
export interface BenchResult {
  /** What was measured, e.g. `ingest.csv`, `lake.timetravel`, `semantic.compile.p50`. */
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with, e.g. "duckdb read_csv into a plain table". */
  anchor: string;
  anchorValue: number;
  ratio: number;
  /** The aim for the ratio as text, e.g. ">= 0.8" or "<= 1.2". */
  aim: string;
  /** An aim the issue sets on the absolute value too (e.g. ">= 50000" records/s); checked as well. */
  valueAim?: string;
}

/** A benchmark module: `bench/<topic>.bench.ts` exports `run` returning its figures. */
export type Bench = () => Promise<BenchResult[]>;

/** Whether a figure meets its aim (">= x", "<= x", "< x", "> x"). */
export function meetsAim(r: BenchResult): boolean {
  return compare(r.ratio, r.aim) && (r.valueAim === undefined || compare(r.value, r.valueAim));
}

function compare(x: number, aim: string): boolean {
  const m = /^\s*(>=|<=|<|>)\s*([\d.]+)/.exec(aim);
  if (!m) return true;
  const [, op, raw] = m;
  const target = Number(raw);
  switch (op) {
    case '>=':
      return x >= target;
    case '<=':
      return x <= target;
    case '<':
      return x < target;
    default:
      return x > target;
  }
}

/** Median and 99th percentile of samples (ms). */
export function percentiles(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Time one async call in milliseconds. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
