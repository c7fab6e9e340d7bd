// One clock for every thread. performance.now() is cheap but counts from each worker's own start;
// process.hrtime is CLOCK_MONOTONIC for the whole process but allocates a BigInt. Each thread
// measures the offset between the two once (the bracket with the smallest gap, so the error is a
// few tens of ns) and then reads performance.now() + offset: milliseconds on CLOCK_MONOTONIC, the
// same timeline in every thread, so a signal time taken on one thread and a wake-up time taken on
// another can be subtracted.

import { performance } from 'node:perf_hooks';

function calibrate(): number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    const h = process.hrtime.bigint();
    const b = performance.now();
    if (b - a < best) {
      best = b - a;
      offset = Number(h) / 1e6 - (a + b) / 2;
    }
  }
  return offset;
}

const offsetMs = calibrate();

/** Milliseconds on CLOCK_MONOTONIC (fractional, ns resolution), consistent across threads. */
export function monoMs(): number {
  return performance.now() + offsetMs;
}

/** Nanoseconds since `epochMs` (a monoMs() value). */
export function nsSince(epochMs: number): number {
  return (performance.now() + offsetMs - epochMs) * 1e6;
}
