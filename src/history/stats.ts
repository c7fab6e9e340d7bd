// The statistics behind `fence-lab compare` and the history's step detection, written from their
// definitions so every number can be checked by hand (test/history.test.ts does).

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Quantile of an ascending array by linear interpolation (Hyndman & Fan 1996, definition 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Complementary error function, Chebyshev fit with fractional error < 1.2e-7 everywhere
 * (Press et al., Numerical Recipes in C, 2nd ed., §6.2, `erfcc`).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const ans = t * Math.exp(poly);
  return x >= 0 ? ans : 2 - ans;
}

/** Binomial coefficient C(n, k) as a float (exact below 2^53). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let result = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) result = (result * (n - k + i)) / i;
  return result;
}

/**
 * The smallest one-sided p-value an exact Mann–Whitney test can give for sample sizes m and n:
 * the one extreme ordering out of C(m+n, m). When it is not below alpha the test can never
 * reject, so a comparison needs another method (asv statistics.py `is_different` checks the same).
 */
export function mannWhitneyMinP(m: number, n: number): number {
  return Math.min(1, 1 / binomial(m + n, m));
}

/** 'greater': x tends to exceed y; 'less': x tends to fall below y. */
export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, ties counting one half. */
  u: number;
  /** p-value for the requested alternative. */
  p: number;
  method: 'exact' | 'normal';
}

/**
 * P(U ≤ k) under H0 for sample sizes m, n without ties, from the recurrence of Mann & Whitney
 * (Ann. Math. Statist. 18:50, 1947): the largest of the m+n values is an x with probability
 * m/(m+n), and then it beats all n y's, so p(m,n,u) = m/(m+n)·p(m−1,n,u−n) + n/(m+n)·p(m,n−1,u).
 */
function exactMannWhitneyCdf(m: number, n: number, k: number): number {
  // table[j] holds the distribution of U for sizes (i, j) while i runs from 0 to m.
  let prev: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const dist = new Float64Array(i * j + 1);
      const withXLast = prev[j]!; // sizes (i−1, j)
      const withYLast = next[j - 1]!; // sizes (i, j−1)
      for (let u = 0; u <= i * j; u++) {
        const fromX = u - j >= 0 && u - j < withXLast.length ? withXLast[u - j]! : 0;
        const fromY = u < withYLast.length ? withYLast[u]! : 0;
        dist[u] = (i / (i + j)) * fromX + (j / (i + j)) * fromY;
      }
      next.push(dist);
    }
    prev = next;
  }
  const dist = prev[n]!;
  let cdf = 0;
  for (let u = 0; u <= Math.min(k, dist.length - 1); u++) cdf += dist[u]!;
  return cdf;
}

/** Sizes up to which the exact distribution is used when there are no ties (asv uses 20 too). */
const EXACT_MAX_SIZE = 20;

/**
 * Mann–Whitney U test (Mann & Whitney 1947). U counts the pairs (x, y) with x > y, ties one half
 * (midranks). Without ties and with both samples ≤ 20 the p-value is exact; otherwise it is the
 * normal approximation with the tie-corrected variance σ² = mn/12 · ((N+1) − Σ(t³−t)/(N(N−1)))
 * and a continuity correction of ½ (Lehmann, Nonparametrics: Statistical Methods Based on
 * Ranks, 1975, §1.4). U is symmetric about mn/2 under H0, so P(U ≥ u) = P(U ≤ mn − u).
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], alternative: Alternative = 'two-sided'): MannWhitneyResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitneyU needs two non-empty samples');
  const pooled = [...x.map((value) => ({ value, fromX: true })), ...y.map((value) => ({ value, fromX: false }))];
  pooled.sort((a, b) => a.value - b.value);
  let rankSumX = 0;
  let tieTerm = 0;
  for (let start = 0; start < pooled.length; ) {
    let end = start;
    while (end + 1 < pooled.length && pooled[end + 1]!.value === pooled[start]!.value) end++;
    const midrank = (start + end) / 2 + 1; // ranks are 1-based
    const t = end - start + 1;
    tieTerm += t * t * t - t;
    for (let i = start; i <= end; i++) if (pooled[i]!.fromX) rankSumX += midrank;
    start = end + 1;
  }
  const u = rankSumX - (m * (m + 1)) / 2;
  // The alternative decides which tail holds the evidence: the lower tail of U ('less'), the
  // upper one ('greater', mirrored onto the lower), or the nearer one doubled ('two-sided').
  const tailU = alternative === 'less' ? u : alternative === 'greater' ? m * n - u : Math.min(u, m * n - u);
  const sides = alternative === 'two-sided' ? 2 : 1;
  if (tieTerm === 0 && Math.max(m, n) <= EXACT_MAX_SIZE) {
    return { u, p: Math.min(1, sides * exactMannWhitneyCdf(m, n, tailU)), method: 'exact' };
  }
  const total = m + n;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' }; // every value tied: no evidence of a shift
  const z = (m * n) / 2 - tailU - 0.5; // distance into the lower tail, continuity-corrected
  const oneSided = 0.5 * erfc(z / Math.sqrt(variance) / Math.SQRT2); // Φ(−z/σ)
  return { u, p: Math.min(1, sides === 2 && z < 0 ? 1 : sides * oneSided), method: 'normal' };
}

/**
 * mulberry32, a 32-bit seeded PRNG (Tommy Ettinger, public domain): uniform in [0, 1).
 * Deterministic across platforms, so a bootstrap result is reproducible from its seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string: a stable per-row seed offset. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A standard normal deviate by the Box–Muller transform (Box & Muller 1958). */
export function standardNormal(random: () => number): number {
  const u1 = 1 - random(); // (0, 1], so the log is finite
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
}

function resampleMedian(values: readonly number[], random: () => number, scratch: number[]): number {
  for (let i = 0; i < values.length; i++) scratch[i] = values[Math.floor(random() * values.length)]!;
  return median(scratch);
}

/**
 * Percentile bootstrap (Efron & Tibshirani, An Introduction to the Bootstrap, 1993, ch. 13) of
 * median(next)/median(base): each resample draws both samples with replacement. Returns the
 * resampled ratios in ascending order; read them with `bootstrapInterval` and `bootstrapP`.
 */
export function bootstrapMedianRatios(
  base: readonly number[],
  next: readonly number[],
  options: { seed: number; resamples?: number },
): Float64Array {
  const resamples = options.resamples ?? 9999;
  const random = seededRandom(options.seed);
  const baseScratch = new Array<number>(base.length);
  const nextScratch = new Array<number>(next.length);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    ratios[r] = resampleMedian(next, random, nextScratch) / resampleMedian(base, random, baseScratch);
  }
  return ratios.sort();
}

/** A discrete distribution: `values` ascending, `probs[i]` = P(X = values[i]). */
export interface Discrete {
  values: Float64Array;
  probs: Float64Array;
}

/**
 * The exact distribution of the isolate figure (the fastest sample of any isolate) under the
 * two-stage bootstrap (Davison & Hinkley, Bootstrap Methods and their Application, 1997, §3.8:
 * resample the top-level units, then within each): k isolates drawn with replacement, then each
 * drawn isolate's n_i samples. The figure exceeds x only when every drawn isolate's resampled
 * minimum does, and a resample of n values from one isolate stays above x with probability
 * (c_i(x)/n_i)^n_i, c_i(x) its samples above x; the k draws are independent, so
 *   P(figure > x) = ( (1/k) · Σ_i (c_i(x)/n_i)^n_i )^k.
 * Computed exactly rather than by Monte Carlo: a Monte-Carlo bootstrap of B resamples cannot
 * give a p-value below 1/(B+1), which across ~70 rows is too coarse to ever fire.
 * The spread between isolates, where compiled code and placement show, is what it mostly
 * reflects (a fast isolate left out of a resample moves the figure); samples within an isolate
 * are not independent (interference lasts tens of ms), so testing them as if they were would
 * call every A/A pair significant.
 */
export function isolateFigureDistribution(groups: readonly (readonly number[])[]): Discrete {
  const sorted = groups.filter((g) => g.length > 0).map((g) => [...g].sort((a, b) => a - b));
  const k = sorted.length;
  const points = sorted.flatMap((g, i) => g.map((value) => ({ value, group: i }))).sort((a, b) => a.value - b.value);
  const above = sorted.map((g) => g.length); // c_i(x) as x sweeps upwards
  let survivalSum = k; // Σ_i (c_i/n_i)^n_i
  const values: number[] = [];
  const probs: number[] = [];
  let survival = 1; // P(figure > the previous value)
  for (let at = 0; at < points.length; ) {
    const value = points[at]!.value;
    for (; at < points.length && points[at]!.value === value; at++) {
      const i = points[at]!.group;
      const n = sorted[i]!.length;
      survivalSum -= Math.pow(above[i]! / n, n);
      above[i]!--;
      survivalSum += Math.pow(above[i]! / n, n);
    }
    const next = at === points.length ? 0 : Math.pow(Math.max(0, survivalSum) / k, k);
    values.push(value);
    probs.push(survival - next);
    survival = next;
  }
  return { values: Float64Array.from(values), probs: Float64Array.from(probs) };
}

/** P(next / base ≤ t) for independent discrete `next` and `base` (positive values). */
export function ratioCdf(base: Discrete, next: Discrete, t: number): number {
  // walk base ascending; t·b rises with it, so the count of next ≤ t·b only moves forward
  let total = 0;
  let nextAt = 0;
  let nextCdf = 0;
  for (let j = 0; j < base.values.length; j++) {
    const limit = t * base.values[j]!;
    while (nextAt < next.values.length && next.values[nextAt]! <= limit * (1 + 1e-12)) nextCdf += next.probs[nextAt++]!;
    total += base.probs[j]! * nextCdf;
  }
  return Math.min(1, total);
}

/** The q-quantile of next/base (smallest t with P(ratio ≤ t) ≥ q), by bisection on `ratioCdf`. */
export function ratioQuantile(base: Discrete, next: Discrete, q: number): number {
  let lo = next.values[0]! / base.values[base.values.length - 1]!;
  let hi = next.values[next.values.length - 1]! / base.values[0]!;
  if (ratioCdf(base, next, lo) >= q) return lo;
  for (let i = 0; i < 60 && hi / lo > 1 + 1e-9; i++) {
    const mid = Math.sqrt(lo * hi);
    if (ratioCdf(base, next, mid) >= q) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The [alpha/2, 1−alpha/2] percentile interval of sorted bootstrap ratios. */
export function bootstrapInterval(sortedRatios: Float64Array, alpha: number): [number, number] {
  const sorted = Array.from(sortedRatios);
  return [quantileSorted(sorted, alpha / 2), quantileSorted(sorted, 1 - alpha / 2)];
}

/**
 * One-sided bootstrap p-value that the ratio lies beyond `threshold` ('greater': above it,
 * 'less': below it): the share of resampled ratios on the other side, with the +1 correction
 * so it is never 0 (Davison & Hinkley, Bootstrap Methods and their Application, 1997, §4.2).
 */
export function bootstrapP(sortedRatios: Float64Array, threshold: number, alternative: 'greater' | 'less'): number {
  let against = 0;
  for (const ratio of sortedRatios) if (alternative === 'greater' ? ratio <= threshold : ratio >= threshold) against++;
  return (against + 1) / (sortedRatios.length + 1);
}

/**
 * Benjamini–Hochberg step-up adjustment (Benjamini & Hochberg, J. R. Statist. Soc. B 57:289,
 * 1995): rejecting the rows whose adjusted p is below alpha keeps the expected share of false
 * discoveries among the rows flagged at alpha. When nothing changed (every row null, as in an
 * A/A compare) that share is 1 whenever anything is flagged, so the chance of any false alarm is
 * alpha too, the same guarantee as Holm's; when some rows did change it flags more of them.
 * Valid for independent or positively dependent p-values (Benjamini & Yekutieli 2001), as rows
 * measured on one machine in one run are.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((a, b) => b.p - a.p);
  const adjusted = new Array<number>(m);
  let running = 1;
  order.forEach(({ p, index }, i) => {
    const rank = m - i; // 1-based rank from the smallest
    running = Math.min(running, (m * p) / rank);
    adjusted[index] = running;
  });
  return adjusted;
}

/**
 * Distribution-free confidence interval for the median from order statistics: the widest
 * (x₍ᵣ₎, x₍ₛ₎) with r, s chosen so that P(r ≤ K < s) ≥ confidence for K ~ Bin(n, ½)
 * (Conover, Practical Nonparametric Statistics, 3rd ed., §3.2; asv statistics.py `quantile_ci`).
 * With too few samples for that coverage it is the sample range.
 */
export function medianConfidenceInterval(values: readonly number[], confidence = 0.99): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const logTail = Math.log((1 - confidence) / 2);
  // Walk P(K ≤ k) in log space (log C(n,k) − n·log 2) so thousands of samples do not underflow.
  let logPmf = -n * Math.LN2; // log P(K = 0)
  let logCdf = logPmf;
  let lowRank = 0; // the largest r with P(K ≤ r−1) ≤ tail; 0 when none exists
  for (let k = 0; k < n && logCdf <= logTail; k++) {
    lowRank = k + 1;
    logPmf += Math.log((n - k) / (k + 1)); // P(K = k+1) from P(K = k)
    logCdf += Math.log1p(Math.exp(logPmf - logCdf));
  }
  if (lowRank === 0) return [sorted[0]!, sorted[n - 1]!];
  return [sorted[lowRank - 1]!, sorted[n - lowRank]!];
}
