// The test of a row measured in isolates (the micro rows): is NEW's figure beyond the factor
// from BASE's? Two sources of noise move a figure between two runs of the same code:
//  - which isolates the run got (compiled code, placement): the two-stage bootstrap over
//    isolates and their samples sees it, computed exactly (stats.ts isolateFigureDistribution);
//  - what the machine did during the whole run: on a loaded host every isolate of one run can
//    land a few % slow on one operation (measured on the lab's 2-core VM at load ~20: one
//    operation's 7 rows +7% together, single rows up to +70% in both isolates of a quick run).
//    The isolates of one run cannot see it. What does see it is the rest of the compare: most
//    rows did not change, so the spread of all rows' log ratios is the run-to-run noise of this
//    pair of runs, an "empirical null" (Efron, "Large-scale simultaneous hypothesis testing: the
//    choice of a null hypothesis", JASA 99:96, 2004). It enters as a normal term of scale
//    `runNoise` added to every bootstrap ratio (a smoothed bootstrap, Davison & Hinkley 1997 §3.4).
// A row then regresses when, on that combined distribution, P(ratio within the factor) is small.
import { type Discrete, erfc, isolateFigureDistribution } from './stats.ts';

/** Mass below which a figure value is dropped (P(figure = v) falls as (c/n)^n with its rank). */
const NEGLIGIBLE = 1e-13;

/** Standard normal CDF Φ(z). */
const normalCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);

/** The ratio NEW/BASE of the bootstrapped figures as (log ratio, probability), ascending. */
export interface LogRatioDistribution {
  logRatios: Float64Array;
  probs: Float64Array;
}

function pruned(d: Discrete): { values: number[]; probs: number[] } {
  const values: number[] = [];
  const probs: number[] = [];
  d.probs.forEach((p, i) => {
    if (p > NEGLIGIBLE) {
      values.push(d.values[i]!);
      probs.push(p);
    }
  });
  return { values, probs };
}

export function logRatioDistribution(baseGroups: readonly (readonly number[])[], newGroups: readonly (readonly number[])[]): LogRatioDistribution {
  const base = pruned(isolateFigureDistribution(baseGroups));
  const next = pruned(isolateFigureDistribution(newGroups));
  const pairs: [number, number][] = [];
  base.values.forEach((b, i) => next.values.forEach((n, j) => pairs.push([Math.log(n / b), base.probs[i]! * next.probs[j]!])));
  pairs.sort((a, b) => a[0] - b[0]);
  return { logRatios: Float64Array.from(pairs, (p) => p[0]), probs: Float64Array.from(pairs, (p) => p[1]) };
}

/**
 * The run-to-run noise of a compare (log scale): 1.4826 · median |log ratio| over its rows measured
 * in isolates, the normal-consistent robust scale around "no change" (Efron 2004's central
 * matching, with the centre fixed at 0 so a shift of every row is noise, not evidence). It
 * assumes most rows did not change: with more than half of them moved, it grows and hides them,
 * which `history --check` (steps over several runs) still sees.
 */
export function runNoise(logRatios: readonly number[]): number {
  const finite = logRatios.filter(Number.isFinite).map(Math.abs).sort((a, b) => a - b);
  if (finite.length === 0) return 0;
  const mid = finite.length >> 1;
  const median = finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return 1.4826 * median;
}

/** P(log ratio + N(0, noise²) ≤ x): the bootstrap distribution smoothed by the run noise. */
export function smoothedCdf(d: LogRatioDistribution, noise: number, x: number): number {
  let total = 0;
  for (let i = 0; i < d.logRatios.length; i++) {
    const r = d.logRatios[i]!;
    total += d.probs[i]! * (noise > 0 ? normalCdf((x - r) / noise) : r <= x + 1e-12 ? 1 : 0);
  }
  return Math.min(1, total);
}

/** The q-quantile of the smoothed log ratio, by bisection. */
function smoothedQuantile(d: LogRatioDistribution, noise: number, q: number): number {
  let lo = d.logRatios[0]! - 9 * noise - 1e-9;
  let hi = d.logRatios[d.logRatios.length - 1]! + 9 * noise + 1e-9;
  for (let i = 0; i < 80 && hi - lo > 1e-10; i++) {
    const mid = (lo + hi) / 2;
    if (smoothedCdf(d, noise, mid) >= q) hi = mid;
    else lo = mid;
  }
  return hi;
}

export interface IsolateVerdictInput {
  /** one-sided p that the ratio lies beyond the factor on the side it moved; null within it */
  p: number | null;
  /** the ratio's interval at 1 − alpha (two-sided) */
  interval: [number, number];
}

export function testIsolateRow(d: LogRatioDistribution, ratio: number, factor: number, alpha: number, noise: number): IsolateVerdictInput {
  const logFactor = Math.log(factor);
  let p: number | null = null;
  if (ratio > factor) p = smoothedCdf(d, noise, logFactor); // mass that says "within the factor"
  else if (ratio < 1 / factor) p = 1 - smoothedCdf(d, noise, -logFactor - 1e-12);
  const interval: [number, number] = [Math.exp(smoothedQuantile(d, noise, alpha / 2)), Math.exp(smoothedQuantile(d, noise, 1 - alpha / 2))];
  return { p: p === null ? null : Math.max(0, p), interval };
}
