// `fence-lab compare` as a pure function: two runs in, one row per (design, workload, metric)
// out, plus the verdict-matrix changes. asv's rule decides a row (asv docs "Comparing results",
// asv statistics.py `is_different`): a change is a regression only when the medians differ by
// more than the factor AND the difference is statistically significant on the raw samples.
// Two refinements keep a noisy shared machine from crying wolf:
//  - the test asks whether the change is significantly *beyond the factor*, not merely
//    non-zero: the new samples are divided by the factor before testing (a multiplicative
//    shift, the scale timing noise lives on). With asv's test, a run that lands 5.1% slow by
//    chance is flagged whenever the samples are many; here it needs evidence of more than 5%;
//  - p-values are Holm-adjusted over all testable rows of the compare, so the chance of any
//    false alarm in a whole run stays at alpha however many rows a run has;
//  - rows measured in several fresh isolates (the micro rows) are compared by their figure (the
//    fastest sample of any isolate, src/results/isolates.ts) and tested
//    with a two-stage bootstrap over isolates, not with Mann–Whitney on the pooled samples: the
//    samples of one isolate are not independent (interference comes in bursts, each isolate
//    has its own compiled code), and treating them as independent made 10 A/A compares out of
//    10 on this lab's machine report regressions.
import type { RunParts } from '../results/run-record.ts';
import { hasIsolates, isolateFigure, isolateGroups } from '../results/isolates.ts';
import type { BenchContext, BenchRow } from '../results/types.ts';
import { type Direction, isWorse, metricDirection } from './direction.ts';
import { bootstrapInterval, bootstrapIsolateRatios, bootstrapMedianRatios, bootstrapP, hashString, holmAdjust, mannWhitneyMinP, mannWhitneyU, median } from './stats.ts';
import { formatChange } from './text.ts';
import { compareVerdicts, type VerdictChange } from './verdicts.ts';

export interface CompareOptions {
  /** A change counts only beyond this ratio (1.05 = 5%). */
  factor: number;
  /** Family-wise significance level over all rows. */
  alpha: number;
  /** Seed of the bootstrap used when samples are too few for Mann–Whitney. */
  seed?: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { factor: 1.05, alpha: 0.01, seed: 1 };

/** Below this many samples on a side no test is attempted (a bootstrap of 1–2 values is noise). */
const MIN_SAMPLES_FOR_TEST = 3;

export type RowVerdict = 'improved' | 'regressed' | 'unchanged' | 'insignificant';

export type TestMethod = 'mann-whitney-exact' | 'mann-whitney-normal' | 'bootstrap' | 'isolate-bootstrap' | 'none';

export interface MetricComparison {
  variant: string;
  workload: string;
  metric: string;
  unit: string;
  direction: Direction;
  /** The row's figure: the samples' median, or the isolate figure for rows measured in isolates. */
  baseFigure: number;
  newFigure: number;
  /** newFigure / baseFigure. */
  ratio: number;
  baseSamples: number;
  newSamples: number;
  /** Isolates on each side, for rows measured in isolates. */
  isolates?: [number, number];
  method: TestMethod;
  /** One-sided p-value that the change lies beyond the factor; null when the medians are
   *  within the factor (nothing to test) or the samples too few. */
  p: number | null;
  /** Holm-adjusted p, the one compared with alpha. */
  adjustedP: number | null;
  /** Bootstrap interval of the figures' ratio at 1 − alpha (bootstrap methods only). */
  interval?: [number, number];
  verdict: RowVerdict;
  reason: string;
}

export interface Comparison {
  options: CompareOptions;
  rows: MetricComparison[];
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

interface Measured {
  baseFigure: number;
  newFigure: number;
  ratio: number;
  test: TestOutcome;
  isolates?: [number, number];
}

/** A row measured in isolates: the isolate figures, tested by the two-stage bootstrap over isolates. */
function measureByIsolates(base: BenchRow, next: BenchRow, options: CompareOptions, seed: number): Measured {
  const baseGroups = isolateGroups(base);
  const newGroups = isolateGroups(next);
  const baseFigure = isolateFigure(baseGroups);
  const newFigure = isolateFigure(newGroups);
  const ratio = figureRatio(baseFigure, newFigure);
  const ratios = bootstrapIsolateRatios(baseGroups, newGroups, { seed });
  const threshold = ratio > 1 ? options.factor : 1 / options.factor;
  const p = beyondFactor(ratio, options.factor) ? bootstrapP(ratios, threshold, ratio > 1 ? 'greater' : 'less') : null;
  const test: TestOutcome = { method: 'isolate-bootstrap', p, interval: bootstrapInterval(ratios, options.alpha) };
  return { baseFigure, newFigure, ratio, test, isolates: [baseGroups.length, newGroups.length] };
}

/** Any other row: the samples' medians, tested on the samples. */
function measureBySamples(base: BenchRow, next: BenchRow, options: CompareOptions, seed: number): Measured {
  const baseFigure = median(samplesOf(base));
  const newFigure = median(samplesOf(next));
  const ratio = figureRatio(baseFigure, newFigure);
  return { baseFigure, newFigure, ratio, test: testBeyondFactor(samplesOf(base), samplesOf(next), ratio, options, seed) };
}

function compareRow(base: BenchRow, next: BenchRow, options: CompareOptions): MetricComparison {
  const seed = ((options.seed ?? 1) ^ hashString(rowName(next))) >>> 0;
  const m = hasIsolates(base) && hasIsolates(next) ? measureByIsolates(base, next, options, seed) : measureBySamples(base, next, options, seed);
  return {
    variant: next.variant,
    workload: next.workload,
    metric: next.metric,
    unit: next.unit,
    direction: metricDirection(next.unit),
    baseFigure: m.baseFigure,
    newFigure: m.newFigure,
    ratio: m.ratio,
    baseSamples: samplesOf(base).length,
    newSamples: samplesOf(next).length,
    ...(m.isolates ? { isolates: m.isolates } : {}),
    method: m.test.method,
    p: m.test.p,
    adjustedP: null,
    ...(m.test.interval ? { interval: m.test.interval } : {}),
    verdict: 'unchanged',
    reason: '',
  };
}

/** Applies asv's rule once the Holm-adjusted p-values are known. */
function decide(row: MetricComparison, options: CompareOptions): MetricComparison {
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

/** A row that failed on one side: a new failure is a regression, a fixed one an improvement. */
function failedRow(base: BenchRow, next: BenchRow): MetricComparison {
  const failedNow = Boolean(next.error);
  return {
    variant: next.variant,
    workload: next.workload,
    metric: next.metric,
    unit: next.unit,
    direction: metricDirection(next.unit),
    baseFigure: median(samplesOf(base)),
    newFigure: median(samplesOf(next)),
    ratio: Number.NaN,
    baseSamples: base.samples.length,
    newSamples: next.samples.length,
    method: 'none',
    p: null,
    adjustedP: null,
    verdict: failedNow ? 'regressed' : 'improved',
    reason: failedNow ? `failed in NEW: ${next.error}` : `failed in BASE (${base.error}), runs in NEW`,
  };
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

export function compareRuns(base: RunParts, next: RunParts, options: CompareOptions = DEFAULT_COMPARE_OPTIONS): Comparison {
  const baseRows = rowsByName(base.bench?.results ?? []);
  const nextRows = rowsByName(next.bench?.results ?? []);
  const tested: MetricComparison[] = [];
  const failed: MetricComparison[] = [];
  const onlyInBase: string[] = [];
  const onlyInNew: string[] = [];
  for (const [name, baseRow] of baseRows) {
    const nextRow = nextRows.get(name);
    if (!nextRow) onlyInBase.push(name);
    else if (baseRow.error && nextRow.error) continue; // failed on both sides: nothing to compare
    else if (baseRow.error || nextRow.error) failed.push(failedRow(baseRow, nextRow));
    else tested.push(compareRow(baseRow, nextRow, options));
  }
  for (const name of nextRows.keys()) if (!baseRows.has(name)) onlyInNew.push(name);

  // The Holm family is every testable row; a row within the factor enters with p = 1.
  const testable = tested.filter((row) => row.method !== 'none');
  const adjusted = holmAdjust(testable.map((row) => row.p ?? 1));
  testable.forEach((row, i) => (row.adjustedP = row.p === null ? null : adjusted[i]!));
  const rows = [...tested.map((row) => decide(row, options)), ...failed];

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
    verdictChanges: verdicts.changes,
    verdictCellsCompared: verdicts.compared,
    regressions,
    onlyInBase: [...onlyInBase, ...verdicts.onlyInBase],
    onlyInNew: [...onlyInNew, ...verdicts.onlyInNew],
    warnings: [...environmentWarnings(base.context, next.context), ...floorWarnings(rows)],
  };
}
