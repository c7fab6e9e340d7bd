// The figure of a micro-benchmark row measured in several fresh V8 isolates (asv runs each
// benchmark in several processes for the same reason).
//
// Two kinds of noise move a micro figure on a shared machine, and neither is the code's:
//  - interference: another tenant (or our own main thread) takes the core for a while; on the
//    2-vCPU VM this lab grew on, a bare Atomics.load loop flips between ~6.6 ns and ~12 ns for
//    tens of milliseconds at a time. It only ever adds time, so the fastest 1 ms sample is the
//    cost without interference (Chen & Revels, "Robust benchmarking in noisy environments",
//    2016; Python's timeit documentation says the same of its repeats);
//  - compilation and placement: the code and data an isolate ends up with differ from isolate
//    to isolate (e.g. a read path at 20.9 ns in one isolate, 24.4 ns in the next, in steps of a
//    few cycles). Taking the fastest over isolates reports the best the code runs here.
// So a row's figure is its fastest sample over all its isolates. Five full runs of the micro
// benchmarks on that VM: the median run-to-run CV of the figures 0.0% (60 of 70 rows under 3%,
// the rest 3.1-8.6%: steps of a few cycles between runs), against 20% for the samples' median.
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
 * SETTLE_TOLERANCE of the fastest. A row whose cost depends on where the process's memory landed
 * (allocation paths: signal-cycle at 287-353 ns from one isolate to the next, each steady within
 * itself) is measured in further isolates until it is; rows of reads settle in the first three.
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
