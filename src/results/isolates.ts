// The figure of a micro-benchmark row measured in several fresh V8 isolates (asv runs each
// benchmark in several processes for the same reason).
//
// Two kinds of noise move a micro figure on a shared machine, and neither is the code's:
//  - interference: another tenant (or our own main thread) takes the core for a while; on the
//    2-vCPU VM this lab grew on, a bare Atomics.load loop flips between ~6.6 ns and ~12 ns for
//    tens of milliseconds at a time (a multiply chain timed alongside does not slow, so it is
//    not the clock but a neighbour on the core's shared resources). It only ever adds time, so
//    the fastest 1 ms sample is the cost without interference (Chen & Revels, "Robust
//    benchmarking in noisy environments", 2016; Python's timeit documentation says the same of
//    its repeats);
//  - the process (not pinned down; most likely where its memory landed). Reads (is_signaled,
//    test_signaled_flag, ...) now time the same code in every isolate to 0.01 ns
//    (bench/micro/worker.ts `batchLoop`), but the allocation paths do not: signal-cycle on current-shared-lock is steady within an isolate
//    and anywhere from 283 to 339 ns between isolates, whatever the batch size or GC threads.
//    Taking the fastest over isolates reports the best the code runs here; an operation whose
//    fastest isolate no second isolate has come within 1% of (`settled`) is measured in further
//    isolates, up to ten (pyperf runs 20 processes by default for the same reason).
// So a row's figure is its fastest sample over all its isolates. Five full runs of the micro
// benchmarks on that VM: the run-to-run CV of the figures is under 3% on all 70 rows (median
// 0.0%, worst 1.9%); of the samples' medians, a median over rows of 3.8% to 27% depending on
// how busy the host was.
// The row keeps every raw sample; `isolates` says how many came from each isolate, in order,
// so `fence-lab compare` can resample isolates (the unit that varies) rather than samples.

import type { BenchRow } from './types.ts';

/** Splits a row's samples into its isolates' samples; one group when the row does not say. */
export function isolateGroups(row: Pick<BenchRow, 'samples' | 'isolates'>): number[][] {
  const sizes = row.isolates;
  if (!sizes || sizes.length === 0) return [row.samples];
  const groups: number[][] = [];
  let at = 0;
  for (const size of sizes) {
    groups.push(row.samples.slice(at, at + size));
    at += size;
  }
  return groups;
}

/** The fastest sample of any isolate (NaN when there is none). */
export function isolateFigure(groups: readonly (readonly number[])[]): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (const g of groups) for (const x of g) fastest = Math.min(fastest, x);
  return Number.isFinite(fastest) ? fastest : Number.NaN;
}

/** How close to the fastest isolate another must come for the figure to count as repeated. */
export const SETTLE_TOLERANCE = 0.01;

/**
 * Whether a row's figure has been seen twice: at least two isolates' fastest samples lie within
 * SETTLE_TOLERANCE of the fastest. Rows of reads settle in the first three isolates; the
 * allocation paths seldom do, and get the most isolates the run allows.
 */
export function settled(groups: readonly (readonly number[])[]): boolean {
  const fastest = groups.filter((g) => g.length > 0).map((g) => isolateFigure([g]));
  if (fastest.length < 2) return false;
  const best = Math.min(...fastest);
  return fastest.filter((x) => x <= best * (1 + SETTLE_TOLERANCE)).length >= 2;
}

/** Whether the row was measured in more than one isolate (compare then tests between isolates). */
export function hasIsolates(row: Pick<BenchRow, 'isolates'>): boolean {
  return (row.isolates?.length ?? 0) >= 2;
}
