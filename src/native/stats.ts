// Statistics and result rows shared by the micro and interrupt-load benchmarks (the BenchRow
// contract of src/results/types.ts).

import type { BenchRow, BenchStats } from '../results/types.ts';

/** The q-quantile (0..1) of ascending `sorted`, nearest rank (as mitata: index floor(q*(n-1))). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

export function statsOf(samples: readonly number[]): BenchStats {
  const s = [...samples].sort((a, b) => a - b);
  const avg = s.reduce((a, v) => a + v, 0) / (s.length || 1);
  return { p50: quantile(s, 0.5), p75: quantile(s, 0.75), p99: quantile(s, 0.99), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, avg };
}

/** Rounds to 4 significant digits (results files stay small and readable). */
export function round4(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = 4 - Math.ceil(Math.log10(Math.abs(x)));
  const f = 10 ** Math.max(0, digits);
  return Math.round(x * f) / f;
}

export interface RowInput {
  variant: string;
  workload: string;
  metric: string;
  unit: string;
  samples: readonly number[];
  /** default: the samples' median */
  value?: number;
  /** samples per isolate, in order (micro rows) */
  isolates?: number[];
  flags?: string[];
  error?: string;
}

export function makeRow(r: RowInput): BenchRow {
  const samples = r.samples.map(round4);
  const st = statsOf(samples);
  const stats = { p50: st.p50, p75: st.p75, p99: st.p99, min: st.min, max: st.max, avg: round4(st.avg) };
  const value = round4(r.value ?? st.p50);
  const row: BenchRow = {
    variant: r.variant,
    workload: r.workload,
    metric: r.metric,
    value: Number.isFinite(value) ? value : 0,
    unit: r.unit,
    samples,
    ...(r.isolates ? { isolates: [...r.isolates] } : {}),
    stats: Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, Number.isFinite(v) ? v : 0])) as unknown as BenchStats,
  };
  if (r.flags && r.flags.length > 0) row.flags = [...r.flags];
  if (r.error !== undefined) row.error = r.error;
  return row;
}

/** A row for something that failed: no value, the error says what happened. */
export function errorRow(variant: string, workload: string, metric: string, unit: string, error: string): BenchRow {
  return { variant, workload, metric, value: 0, unit, samples: [], stats: { p50: 0, p75: 0, p99: 0, min: 0, max: 0, avg: 0 }, error };
}

/** Coefficient of variation (stddev / mean). */
export function cv(xs: readonly number[]): number {
  const mean = xs.reduce((a, v) => a + v, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return sd / mean;
}
