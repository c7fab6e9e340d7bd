// Step (change-point) detection over one metric's history: one value per run, oldest first.
//
// Choice: E-divisive means (Matteson & James, "A Nonparametric Approach for Multiple Change
// Point Analysis of Multivariate Data", JASA 109:334, 2014) with α = 1 on log values, as used by
// MongoDB and Hunter/Otava (anchors B.8), rather than a windowed Mann–Whitney:
//  - a window of w runs per side needs w ≥ 5 before MWU can reach p < 0.01 and misses steps
//    nearer than w to either end, while E-divisive uses whole segments, down to 2 runs;
//  - scanning every split inflates false alarms; E-divisive's permutation test is on the *max*
//    statistic over splits, so the scan is paid for. Hunter swapped permutations for a t-test
//    because random permutations "did not produce deterministic results"; a seeded PRNG gives
//    determinism without the normality assumption.
// Then the lab's compare rule applies to every change point found: it is reported as a step
// only when the medians of the segments on either side differ by more than the factor.
// Segments have at least 2 runs (asv `detect_regressions` min_size=2), so one noisy run can
// neither open nor close a step. The price of a test that pays for its scan: a step needs a
// few runs behind it (measured: a 20% step over 3% noise after 10 runs is found half the time
// with 3 runs after it, always with 5), so `history` also shows the newest run's pairwise
// compare, which sees a step the moment it lands.
import { median, seededRandom } from './stats.ts';

export interface StepOptions {
  factor: number;
  alpha: number;
  /** Fewest runs in a segment. */
  minSize?: number;
  seed?: number;
}

export interface Step {
  /** Index of the first run after the step. */
  index: number;
  /** Median of the segment before and after the step. */
  before: number;
  after: number;
  /** after / before. */
  ratio: number;
  /** Permutation p-value of the change point when it was found. */
  p: number;
}

interface Split {
  tau: number;
  q: number;
}

/**
 * The split τ maximising Q̂ over τ and the end κ of the right-hand sample (Matteson & James
 * 2014, §2.2: X = z[0, τ), Y = z[τ, κ), so a short excursion between two quiet stretches is
 * still seen), with
 *   Q̂ = mr/(m+r) · [2/(mr)·Σ|xᵢ−yⱼ| − Σ|xᵢ−xₖ|/C(m,2) − Σ|yⱼ−yₖ|/C(r,2)]   (eq. 5 and 7, α = 1).
 * Row prefix sums of the distance matrix make every (τ, κ) step O(1): O(n²) in all.
 */
function bestSplit(z: readonly number[], minSize: number): Split {
  const n = z.length;
  const width = n + 1;
  // prefix[i·width + k] = Σ_{j<k} |z_i − z_j|
  const prefix = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) prefix[i * width + k + 1] = prefix[i * width + k]! + Math.abs(z[i]! - z[k]!);
  }
  const before = (i: number, k: number): number => prefix[i * width + k]!; // Σ_{j<k} |z_i − z_j|
  let best: Split = { tau: minSize, q: -Infinity };
  let withinLeft = 0; // Σ over pairs inside z[0, τ)
  for (let tau = 1; tau <= n - minSize; tau++) {
    withinLeft += before(tau - 1, tau - 1);
    if (tau < minSize) continue;
    const m = tau;
    let between = 0;
    let withinRight = 0;
    for (let kappa = tau + 1; kappa <= n; kappa++) {
      const added = kappa - 1; // z[added] joins the right-hand sample
      between += before(added, tau);
      withinRight += before(added, added) - before(added, tau);
      const r = kappa - tau;
      if (r < minSize) continue;
      const energy = (2 * between) / (m * r) - withinLeft / ((m * (m - 1)) / 2) - withinRight / ((r * (r - 1)) / 2);
      const q = ((m * r) / (m + r)) * energy;
      if (q > best.q) best = { tau, q };
    }
  }
  return best;
}

/** P(max Q̂ of a random reordering ≥ observed), stopping once it cannot fall below alpha. */
function permutationP(x: readonly number[], observed: number, minSize: number, alpha: number, random: () => number): number {
  const permutations = Math.ceil(4 / alpha) - 1; // the smallest possible p is alpha / 4
  const shuffled = [...x];
  let atLeast = 0;
  for (let r = 0; r < permutations; r++) {
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1)); // Fisher–Yates
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    if (bestSplit(shuffled, minSize).q >= observed) atLeast++;
    if ((atLeast + 1) / (permutations + 1) >= alpha) return (atLeast + 1) / (r + 2);
  }
  return (atLeast + 1) / (permutations + 1);
}

/** Change points of x[lo, hi) by binary segmentation, each with its permutation p-value. */
function changePoints(x: readonly number[], lo: number, hi: number, options: Required<StepOptions>, found: Map<number, number>): void {
  if (hi - lo < 2 * options.minSize) return;
  const segment = x.slice(lo, hi);
  const split = bestSplit(segment, options.minSize);
  const random = seededRandom((options.seed ^ Math.imul(lo + 1, 0x9e3779b1) ^ hi) >>> 0);
  const p = permutationP(segment, split.q, options.minSize, options.alpha, random);
  if (p >= options.alpha) return;
  found.set(lo + split.tau, p);
  changePoints(x, lo, lo + split.tau, options, found);
  changePoints(x, lo + split.tau, hi, options, found);
}

/** Steps in a series of per-run values (oldest first) beyond the factor and significant. */
export function detectSteps(values: readonly number[], options: StepOptions): Step[] {
  const settings: Required<StepOptions> = { minSize: 2, seed: 1, ...options };
  // Log values make the distance a ratio, like the factor; a series with a zero stays linear.
  const series = values.every((v) => v > 0) ? values.map(Math.log) : [...values];
  const found = new Map<number, number>();
  changePoints(series, 0, series.length, settings, found);
  const bounds = [0, ...[...found.keys()].sort((a, b) => a - b), values.length];
  const steps: Step[] = [];
  for (let s = 1; s < bounds.length - 1; s++) {
    const before = median(values.slice(bounds[s - 1], bounds[s]));
    const after = median(values.slice(bounds[s], bounds[s + 1]));
    const ratio = before === after ? 1 : after / before;
    if (ratio > settings.factor || ratio < 1 / settings.factor) {
      steps.push({ index: bounds[s]!, before, after, ratio, p: found.get(bounds[s]!)! });
    }
  }
  return steps;
}
