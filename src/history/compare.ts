// `fence-lab compare` as a pure function: two runs in, one row per (design, workload, metric)
// out, plus the verdict-matrix changes. asv's rule decides a timed row (asv docs "Comparing
// results", asv statistics.py `is_different`): a change is a regression only when the figures
// differ by more than the factor AND the difference is statistically significant. Refinements
// that keep a noisy shared machine from crying wolf while still firing on the runs CI makes:
//  - the test asks whether the change is significantly *beyond the factor*, not merely
//    non-zero (the new samples are divided by the factor before testing), so a row needs
//    evidence of more than 5% to regress, and an A/A compare can only raise an alarm where the
//    noise reaches past the factor;
//  - p-values are adjusted by Benjamini–Hochberg over the rows that gate: with nothing changed
//    the chance of any false alarm stays at alpha (as with Holm's adjustment, used before), but
//    a run where several rows regressed is not made to pay for each of them; Holm over 278 rows
//    needed p < 0.00004 per row, which a bootstrap of 9,999 resamples could never reach;
//  - rows measured in several fresh isolates (the micro rows) are compared by their figure (the
//    fastest sample of any isolate, src/results/isolates.ts) and tested with the exact two-stage
//    bootstrap over isolates smoothed by the run noise of this pair of runs (isolate-test.ts);
//  - rows that cannot be trusted (oversubscribed, other machine) are left out of the verdict and
//    deterministic rows are compared exactly (trust.ts).
import type { RunParts } from '../results/run-record.ts';
import { hasIsolates, isolateFigure, isolateGroups } from '../results/isolates.ts';
import type { BenchContext, BenchRow } from '../results/types.ts';
import { type Direction, isWorse, metricDirection } from './direction.ts';
import { logRatioDistribution, runNoise, testIsolateRow } from './isolate-test.ts';
import { benjaminiHochberg, bootstrapInterval, bootstrapMedianRatios, bootstrapP, hashString, mannWhitneyMinP, mannWhitneyU, median } from './stats.ts';
import { formatChange } from './text.ts';
import { differentMachines, rowTrust, type RowTrust } from './trust.ts';
import { compareVerdicts, type VerdictChange } from './verdicts.ts';

export interface CompareOptions {
  /** A change counts only beyond this ratio (1.05 = 5%). */
  factor: number;
  /** False discovery rate over the rows that gate (= the chance of any false alarm when nothing changed). */
  alpha: number;
  /** Seed of the bootstrap used when samples are too few for Mann–Whitney. */
  seed?: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { factor: 1.05, alpha: 0.01, seed: 1 };

/** Below this many samples on a side no test is attempted (a bootstrap of 1–2 values is noise). */
const MIN_SAMPLES_FOR_TEST = 3;

/**
 * regressed/improved: beyond the factor (significantly so for timed rows); changed: a
 * deterministic row that moved within the factor; insignificant: a timed row beyond the factor
 * but not significantly; left-out: information only (trust.ts says why).
 */
export type RowVerdict = 'regressed' | 'improved' | 'changed' | 'insignificant' | 'unchanged' | 'left-out';

export type TestMethod = 'mann-whitney-exact' | 'mann-whitney-normal' | 'bootstrap' | 'isolate-bootstrap' | 'exact' | 'none';

export interface MetricComparison {
  variant: string;
  workload: string;
  metric: string;
  unit: string;
  direction: Direction;
  /** The row's figure: the samples' median, the isolate figure for rows measured in isolates,
   *  the value for deterministic rows. */
  baseFigure: number;
  newFigure: number;
  /** newFigure / baseFigure. */
  ratio: number;
  baseSamples: number;
  newSamples: number;
  /** Isolates on each side, for rows measured in isolates. */
  isolates?: [number, number];
  method: TestMethod;
  /** One-sided p-value that the change lies beyond the factor; null when the figures are
   *  within the factor (nothing to test), the samples too few, or the row is not tested. */
  p: number | null;
  /** Benjamini–Hochberg-adjusted p, the one compared with alpha. */
  adjustedP: number | null;
  /** Interval of the figures' ratio at 1 − alpha (bootstrap methods only). */
  interval?: [number, number];
  verdict: RowVerdict;
  reason: string;
}

export interface CompareSummary {
  regressed: number;
  improved: number;
  changed: number;
  insignificant: number;
  unchanged: number;
  leftOut: number;
  /** Rows left out, by reason. */
  leftOutReasons: Record<string, number>;
}

export interface Comparison {
  options: CompareOptions;
  rows: MetricComparison[];
  summary: CompareSummary;
  /** The run-to-run noise (log scale) the rows measured in isolates showed together, and how many. */
  runNoise: { logScale: number; rows: number } | null;
  verdictChanges: VerdictChange[];
  /** How many verdict cells both runs have (so an unchanged matrix still counts as compared). */
  verdictCellsCompared: number;
  /** One line per regression, naming it: what CI prints and what exit code 1 means. */
  regressions: string[];
  onlyInBase: string[];
  onlyInNew: string[];
  /** Reasons the two runs may not be comparable (environment, measured floor). */
  warnings: string[];
}

export function rowName(row: Pick<BenchRow, 'variant' | 'workload' | 'metric'>): string {
  return `${row.variant} ${row.workload} ${row.metric}`;
}

function samplesOf(row: BenchRow): number[] {
  return row.samples.length > 0 ? row.samples : [row.value];
}

interface TestOutcome {
  method: TestMethod;
  p: number | null;
  interval?: [number, number];
}

function beyondFactor(ratio: number, factor: number): boolean {
  return ratio > factor || ratio < 1 / factor;
}

/**
 * Tests "median(next)/median(base) lies beyond the factor, on the side the medians moved".
 * Mann–Whitney on next/factor against base when it can reach alpha with these sample sizes,
 * else a bootstrap of the median ratio (asv falls back from Mann–Whitney in the same case).
 */
function testBeyondFactor(base: number[], next: number[], ratio: number, options: CompareOptions, seed: number): TestOutcome {
  if (Math.min(base.length, next.length) < MIN_SAMPLES_FOR_TEST) return { method: 'none', p: null };
  const beyond = beyondFactor(ratio, options.factor);
  const threshold = ratio > 1 ? options.factor : 1 / options.factor;
  const alternative = ratio > 1 ? 'greater' : 'less';
  if (mannWhitneyMinP(base.length, next.length) < options.alpha) {
    const { p, method } = mannWhitneyU(next.map((x) => x / threshold), base, alternative);
    return { method: method === 'exact' ? 'mann-whitney-exact' : 'mann-whitney-normal', p: beyond ? p : null };
  }
  const ratios = bootstrapMedianRatios(base, next, { seed });
  return { method: 'bootstrap', p: beyond ? bootstrapP(ratios, threshold, alternative) : null, interval: bootstrapInterval(ratios, options.alpha) };
}

function figureRatio(baseFigure: number, newFigure: number): number {
  if (baseFigure === newFigure) return 1;
  return newFigure / baseFigure; // Infinity when the base is 0: beyond any factor
}

function blankRow(base: BenchRow, next: BenchRow, baseFigure: number, newFigure: number): MetricComparison {
  return {
    variant: next.variant,
    workload: next.workload,
    metric: next.metric,
    unit: next.unit,
    direction: metricDirection(next.unit),
    baseFigure,
    newFigure,
    ratio: figureRatio(baseFigure, newFigure),
    baseSamples: samplesOf(base).length,
    newSamples: samplesOf(next).length,
    method: 'none',
    p: null,
    adjustedP: null,
    verdict: 'unchanged',
    reason: '',
  };
}

/** A row measured in isolates on both sides with positive samples: tested by isolate-test.ts. */
function measuredInIsolates(base: BenchRow, next: BenchRow): boolean {
  return hasIsolates(base) && hasIsolates(next) && base.samples.every((x) => x > 0) && next.samples.every((x) => x > 0);
}

/** Any other timed row: the samples' medians, tested on the samples. */
function measureBySamples(base: BenchRow, next: BenchRow, options: CompareOptions): MetricComparison {
  const row = blankRow(base, next, median(samplesOf(base)), median(samplesOf(next)));
  const seed = ((options.seed ?? 1) ^ hashString(rowName(next))) >>> 0;
  const test = testBeyondFactor(samplesOf(base), samplesOf(next), row.ratio, options, seed);
  return { ...row, method: test.method, p: test.p, ...(test.interval ? { interval: test.interval } : {}) };
}

/** The verdict of a timed row once its adjusted p-value is known (asv's rule). */
function decideTimed(row: MetricComparison, options: CompareOptions): MetricComparison {
  const change = formatChange(row.ratio);
  if (!beyondFactor(row.ratio, options.factor)) {
    return { ...row, verdict: 'unchanged', reason: `${change} is within the factor ${options.factor}` };
  }
  if (row.adjustedP === null) {
    return { ...row, verdict: 'insignificant', reason: `${change} but fewer than ${MIN_SAMPLES_FOR_TEST} samples on a side: untestable` };
  }
  if (row.adjustedP >= options.alpha) {
    return { ...row, verdict: 'insignificant', reason: `${change} but not significantly beyond ×${options.factor} (p=${row.adjustedP.toPrecision(2)} ≥ ${options.alpha})` };
  }
  const worse = isWorse(row.ratio, row.direction);
  return {
    ...row,
    verdict: worse ? 'regressed' : 'improved',
    reason: `${change} (${row.direction}), beyond ×${options.factor} with p=${row.adjustedP.toPrecision(2)} < ${options.alpha}`,
  };
}

/** A deterministic row: the same code gives the same value, so any move is real and no test is needed. */
function compareExactly(base: BenchRow, next: BenchRow, options: CompareOptions): MetricComparison {
  const row = { ...blankRow(base, next, base.value, next.value), method: 'exact' as const };
  const change = formatChange(row.ratio);
  if (row.ratio === 1) return { ...row, reason: 'deterministic, identical' };
  const worse = isWorse(row.ratio, row.direction);
  if (!beyondFactor(row.ratio, options.factor)) {
    return { ...row, verdict: 'changed', reason: `deterministic: ${change} (${worse ? 'worse' : 'better'}), within the factor ${options.factor}` };
  }
  return { ...row, verdict: worse ? 'regressed' : 'improved', reason: `deterministic: ${change} (${row.direction}), beyond ×${options.factor}` };
}

/** A row that failed on one side: a new failure is a regression, a fixed one an improvement. */
function failedRow(base: BenchRow, next: BenchRow): MetricComparison {
  const failedNow = Boolean(next.error);
  return {
    ...blankRow(base, next, median(samplesOf(base)), median(samplesOf(next))),
    ratio: Number.NaN,
    verdict: failedNow ? 'regressed' : 'improved',
    reason: failedNow ? `failed in NEW: ${next.error}` : `failed in BASE (${base.error}), runs in NEW`,
  };
}

function leftOutRow(base: BenchRow, next: BenchRow, reason: string): MetricComparison {
  const isolates = hasIsolates(base) && hasIsolates(next);
  const figure = (row: BenchRow) => (isolates ? isolateFigure(isolateGroups(row)) : median(samplesOf(row)));
  const row = blankRow(base, next, figure(base), figure(next));
  return { ...row, verdict: 'left-out', reason: `${formatChange(row.ratio)}, information only: ${reason}` };
}

function rowsByName(rows: readonly BenchRow[]): Map<string, BenchRow> {
  return new Map(rows.map((row) => [rowName(row), row]));
}

function environmentWarnings(base: BenchContext | undefined, next: BenchContext | undefined): string[] {
  if (!base || !next) return [];
  const fields = ['cpu', 'cores', 'os', 'node', 'v8'] as const;
  const differing = fields.filter((field) => base[field] !== next[field]);
  return differing.length === 0
    ? []
    : [`the runs come from different environments (${differing.map((f) => `${f}: ${base[f]} → ${next[f]}`).join('; ')}); changes may be the machine's, not the code's`];
}

/** The measured floor (DESIGN.md "every benchmark sits next to a measured floor") moving means the machine did. */
function floorWarnings(rows: readonly MetricComparison[]): string[] {
  return rows
    .filter((row) => row.workload === 'floor' && (row.verdict === 'regressed' || row.verdict === 'improved'))
    .map((row) => `the measured floor moved (${rowName(row)} ${formatChange(row.ratio)}): the machine's speed changed between runs; rerun before trusting other changes`);
}

interface Pair {
  base: BenchRow;
  next: BenchRow;
  trust: RowTrust;
}

/** The timed rows measured in isolates: figures, their exact bootstrap and the run noise they share. */
function compareIsolateRows(pairs: readonly Pair[], options: CompareOptions): { rows: MetricComparison[]; noise: Comparison['runNoise'] } {
  if (pairs.length === 0) return { rows: [], noise: null };
  const measured = pairs.map(({ base, next }) => {
    const baseGroups = isolateGroups(base);
    const newGroups = isolateGroups(next);
    const row = blankRow(base, next, isolateFigure(baseGroups), isolateFigure(newGroups));
    return { row: { ...row, isolates: [baseGroups.length, newGroups.length] as [number, number], method: 'isolate-bootstrap' as const }, baseGroups, newGroups };
  });
  const noise = runNoise(measured.map((m) => Math.log(m.row.ratio)));
  const rows = measured.map(({ row, baseGroups, newGroups }) => {
    const test = testIsolateRow(logRatioDistribution(baseGroups, newGroups), row.ratio, options.factor, options.alpha, noise);
    return { ...row, p: test.p, interval: test.interval };
  });
  return { rows, noise: { logScale: noise, rows: rows.length } };
}

function summarize(rows: readonly MetricComparison[]): CompareSummary {
  const summary: CompareSummary = { regressed: 0, improved: 0, changed: 0, insignificant: 0, unchanged: 0, leftOut: 0, leftOutReasons: {} };
  for (const row of rows) {
    if (row.verdict === 'left-out') {
      summary.leftOut++;
      const reason = row.reason.replace(/^.*information only: /, '');
      summary.leftOutReasons[reason] = (summary.leftOutReasons[reason] ?? 0) + 1;
    } else summary[row.verdict]++;
  }
  return summary;
}

export function compareRuns(base: RunParts, next: RunParts, options: CompareOptions = DEFAULT_COMPARE_OPTIONS): Comparison {
  const baseRows = rowsByName(base.bench?.results ?? []);
  const nextRows = rowsByName(next.bench?.results ?? []);
  const machines = differentMachines(base.context, next.context);
  const pairs: Pair[] = [];
  const fixed: MetricComparison[] = []; // rows decided without a test
  const onlyInBase: string[] = [];
  const onlyInNew: string[] = [];
  for (const [name, baseRow] of baseRows) {
    const nextRow = nextRows.get(name);
    if (!nextRow) onlyInBase.push(name);
    else if (baseRow.error && nextRow.error) continue; // failed on both sides: nothing to compare
    else {
      const trust = rowTrust(baseRow, nextRow, machines);
      if (trust.kind === 'left-out') fixed.push(leftOutRow(baseRow, nextRow, trust.reason));
      else if (baseRow.error || nextRow.error) fixed.push(failedRow(baseRow, nextRow));
      else if (trust.kind === 'deterministic') fixed.push(compareExactly(baseRow, nextRow, options));
      else pairs.push({ base: baseRow, next: nextRow, trust });
    }
  }
  for (const name of nextRows.keys()) if (!baseRows.has(name)) onlyInNew.push(name);

  const inIsolates = pairs.filter((pair) => measuredInIsolates(pair.base, pair.next));
  const isolated = compareIsolateRows(inIsolates, options);
  const tested = [...isolated.rows, ...pairs.filter((pair) => !inIsolates.includes(pair)).map((pair) => measureBySamples(pair.base, pair.next, options))];
  // The family is every testable timed row; a row within the factor enters with p = 1.
  const testable = tested.filter((row) => row.method !== 'none');
  const adjusted = benjaminiHochberg(testable.map((row) => row.p ?? 1));
  testable.forEach((row, i) => (row.adjustedP = row.p === null ? null : adjusted[i]!));
  const rows = [...tested.map((row) => decideTimed(row, options)), ...fixed];

  const verdicts = compareVerdicts(
    { check: base.check?.results, litmus: base.litmus?.results },
    { check: next.check?.results, litmus: next.litmus?.results },
  );
  const regressions = [
    ...rows.filter((row) => row.verdict === 'regressed').map((row) => `${rowName(row)}: ${row.reason}`),
    ...verdicts.changes.filter((change) => change.regression).map((change) => `${change.name}: ${change.reason}`),
  ];
  return {
    options,
    rows,
    summary: summarize(rows),
    runNoise: isolated.noise,
    verdictChanges: verdicts.changes,
    verdictCellsCompared: verdicts.compared,
    regressions,
    onlyInBase: [...onlyInBase, ...verdicts.onlyInBase],
    onlyInNew: [...onlyInNew, ...verdicts.onlyInNew],
    warnings: [...environmentWarnings(base.context, next.context), ...floorWarnings(rows)],
  };
}
