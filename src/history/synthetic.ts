// Noise-only bench results for A/A studies and tests: what a run of unchanged code looks like.
// Noise model (timings are positive and right-skewed, so multiplicative, i.e. log-normal):
//   sample = trueValue · exp(N(0, runSigma)) · exp(N(0, sampleSigma)) · outlier
// where the first factor is drawn once per row and run (that row running a little faster or
// slower this time: frequency, neighbours, JIT luck), the second once per sample, and
// `outlier` is 1 + Exp(1) with probability `outlierRate` (a preempted sample), else 1.
// It is gentler than some real machines: a VM whose speed flips by 2× between runs (seen on
// the machine this was written on) defeats any test on one run's samples; see bench/aa-false-alarm.ts.
// `isolatedRow` models that machine for rows measured in isolates (the micro rows): interference
// in bursts and a JIT outcome per isolate.
import type { BenchResults, BenchRow } from '../results/types.ts';
import { isolateFigure } from '../results/isolates.ts';
import { median, quantileSorted, seededRandom, standardNormal } from './stats.ts';

export interface NoiseModel {
  runSigma: number;
  sampleSigma: number;
  outlierRate: number;
}

export const DEFAULT_NOISE: NoiseModel = { runSigma: 0.02, sampleSigma: 0.1, outlierRate: 0.01 };

export interface SyntheticRowSpec {
  variant: string;
  workload: string;
  metric: string;
  unit: string;
  /** The true central value of the row. */
  value: number;
}

export function noisySamples(value: number, count: number, noise: NoiseModel, random: () => number): number[] {
  const runFactor = Math.exp(noise.runSigma * standardNormal(random));
  return Array.from({ length: count }, () => {
    const outlier = random() < noise.outlierRate ? 1 - Math.log(1 - random()) : 1;
    return value * runFactor * Math.exp(noise.sampleSigma * standardNormal(random)) * outlier;
  });
}

/**
 * The noise of the lab's 2-vCPU VM on a micro row measured in isolates (bench/micro/run.ts):
 *  - per run, the row's cost moves by exp(N(0, `runSigma`)) in every isolate alike (what the
 *    host did while the row was measured: the isolates of one run cannot see it);
 *  - per isolate, with probability `jitRate`, the compiled code is `jitFactor` slower;
 *  - interference in bursts: a two-state chain per sample (fast → slow with `burstStart`,
 *    slow → fast with `burstEnd`), a slow sample costing `burstFactor` more;
 *  - small timer jitter, exp(N(0, `jitterSigma`)), and no sample below the true cost.
 */
export interface IsolatedNoiseModel {
  jitRate: number;
  jitFactor: number;
  burstStart: number;
  burstEnd: number;
  burstFactor: number;
  jitterSigma: number;
  runSigma: number;
}

/**
 * Shaped like 7 A/A compares of real quick runs (2 isolates, 70 micro rows, the host at load
 * 5–24; issue 16): the rows' log ratios have a robust spread of 1.8–3.5% (`runSigma`: 2%),
 * one isolate in ~10% of (row, isolate) pairs is 1.5–1.8x slower than the other (`jitRate`,
 * `jitFactor`), and in ~0.3% of (row, run) pairs every isolate is.
 */
export const VM_NOISE: IsolatedNoiseModel = { jitRate: 0.05, jitFactor: 1.5, burstStart: 0.02, burstEnd: 0.02, burstFactor: 1.7, jitterSigma: 0.005, runSigma: 0.02 };

/** A micro row of `isolates` groups of `perIsolate` samples each, noise as `IsolatedNoiseModel` says. */
export function isolatedRow(spec: SyntheticRowSpec, isolates: number, perIsolate: number, noise: IsolatedNoiseModel, random: () => number): BenchRow {
  const runCost = spec.value * Math.exp(noise.runSigma * standardNormal(random));
  const groups = Array.from({ length: isolates }, () => {
    const cost = runCost * (random() < noise.jitRate ? noise.jitFactor : 1);
    let slow = false;
    return Array.from({ length: perIsolate }, () => {
      slow = slow ? random() >= noise.burstEnd : random() < noise.burstStart;
      return cost * (slow ? noise.burstFactor : 1) * Math.exp(Math.abs(noise.jitterSigma * standardNormal(random)));
    });
  });
  return { ...syntheticRow(spec, groups.flat()), value: isolateFigure(groups), isolates: groups.map((g) => g.length) };
}

export function syntheticRow(spec: SyntheticRowSpec, samples: number[]): BenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const avg = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return {
    ...spec,
    value: median(samples),
    samples,
    stats: {
      p50: quantileSorted(sorted, 0.5),
      p75: quantileSorted(sorted, 0.75),
      p99: quantileSorted(sorted, 0.99),
      min: sorted[0]!,
      max: sorted[sorted.length - 1]!,
      avg,
    },
  };
}

/**
 * One synthetic run: every row gets fresh noise around its true value; `commit` names the run.
 * With `isolates`, the ns rows are measured in that many isolates under the VM's noise.
 */
export function syntheticRun(
  rows: readonly SyntheticRowSpec[],
  options: { seed: number; samples: number; noise?: NoiseModel; isolates?: { count: number; noise: IsolatedNoiseModel }; commit?: string; date?: string },
): BenchResults {
  const random = seededRandom(options.seed);
  const noise = options.noise ?? DEFAULT_NOISE;
  const iso = options.isolates;
  return {
    schema: 1,
    context: {
      node: process.version,
      v8: process.versions.v8,
      cpu: 'synthetic',
      cores: 1,
      os: 'synthetic',
      commit: options.commit ?? 'synthetic',
      date: options.date ?? new Date(0).toISOString(),
    },
    results: rows.map((spec) =>
      iso && spec.unit === 'ns' ? isolatedRow(spec, iso.count, Math.ceil(options.samples / iso.count), iso.noise, random) : syntheticRow(spec, noisySamples(spec.value, options.samples, noise, random)),
    ),
  };
}

/** A small stand-in for the lab's rows: two workloads × five designs, a latency and a rate. */
export function syntheticRowSpecs(): SyntheticRowSpec[] {
  const variants = ['current-shared-lock', 'inline-lock', 'locked-reads', 'barrier-lockless', 'unlocked-enable-signaling'];
  return variants.flatMap((variant, i) => [
    { variant, workload: 'is_signaled-signaled', metric: 'time', unit: 'ns', value: 5 + i },
    { variant, workload: 'irq-load/4x', metric: 'fences_per_s', unit: 'fences/s', value: 1e6 / (1 + i / 10) },
  ]);
}

/** The micro operations' typical cost on the lab's VM (ns, a quick run of 5bdbc22). */
const MICRO_COSTS: Record<string, number> = {
  'is_signaled-signaled': 9,
  'is_signaled-unsignaled': 17,
  test_signaled_flag: 6.7,
  'signal-cycle': 400,
  'add_callback-signal': 550,
  get_status: 40,
  'wait-signaled': 112,
  timestamp: 20.8,
  driver_name: 14,
};

/** Rows shaped like a micro run: 7 designs × 9 operations, each measured in isolates (63 rows). */
export function microRowSpecs(): SyntheticRowSpec[] {
  const designs = ['current-shared-lock', 'inline-lock', 'inline-lock-ops-check', 'locked-reads', 'barrier-lockless', 'barrier-lockless-bit-at-end', 'unlocked-enable-signaling'];
  return designs.flatMap((variant, i) => Object.entries(MICRO_COSTS).map(([workload, cost]) => ({ variant, workload, metric: 'time', unit: 'ns', value: cost * (1 + i / 20) })));
}
