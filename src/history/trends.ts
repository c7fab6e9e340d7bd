// From the stored runs of one machine to what `fence-lab history` shows: one trend chart per
// (workload, metric), the steps detected in each design's series, and the regressions among
// them, newest first, next to the pairwise compare of the latest run with the one before it.
import { hasIsolates, isolateFigure, isolateGroups } from '../results/isolates.ts';
import type { BenchRow } from '../results/types.ts';
import { compareRuns, type CompareOptions, type Comparison, rowName } from './compare.ts';
import { isWorse, metricDirection } from './direction.ts';
import { detectSteps } from './steps.ts';
import { median, medianConfidenceInterval } from './stats.ts';
import type { StoredRun } from './store.ts';
import type { TrendChart, TrendPoint } from './trend-spec.ts';
import { isDeterministic, UNTRUSTED_FLAGS } from './trust.ts';

export interface StepReport {
  /** "design workload metric". */
  name: string;
  /** The first run after the step. */
  run: string;
  /** Its index in the history, oldest 0. */
  runIndex: number;
  commit: string;
  kind: 'regression' | 'improvement';
  before: number;
  after: number;
  ratio: number;
  p: number;
  /** false for rows that never gate (oversubscribed: trust.ts): information only. */
  gates: boolean;
}

export interface History {
  runs: string[];
  charts: TrendChart[];
  /** Every detected step, newest first. */
  steps: StepReport[];
  /** The latest run against the one before it (null with fewer than two runs). */
  latest: Comparison | null;
}

/** "abc1234 06-10 12:34", made unique if two runs share commit and minute. */
function runLabels(runs: readonly StoredRun[]): string[] {
  const seen = new Map<string, number>();
  return runs.map(({ run }) => {
    const label = `${run.context.commit} ${run.context.date.slice(5, 16).replace('T', ' ')}`;
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} #${count}`;
  });
}

interface SeriesPoint extends TrendPoint {
  runIndex: number;
}

/**
 * A run's value in a series: the row's figure, as compare reads it. For rows measured in
 * isolates that is the fastest sample of any isolate (the median of their samples measures how
 * much of the run a neighbour disturbed, src/results/isolates.ts); a deterministic row's value;
 * else the samples' median.
 */
function runValue(row: BenchRow): { value: number; low: number; high: number } {
  if (isDeterministic(row)) return { value: row.value, low: row.value, high: row.value };
  if (hasIsolates(row)) {
    // the band: the isolates' own fastest samples, of which the figure is the lowest
    const fastest = isolateGroups(row).filter((g) => g.length > 0).map((g) => isolateFigure([g]));
    return { value: Math.min(...fastest), low: Math.min(...fastest), high: Math.max(...fastest) };
  }
  const samples = row.samples.length > 0 ? row.samples : [row.value];
  const [low, high] = medianConfidenceInterval(samples, 0.99);
  return { value: median(samples), low, high };
}

export function buildHistory(runs: readonly StoredRun[], options: CompareOptions): History {
  const labels = runLabels(runs);
  const charts = new Map<string, TrendChart>();
  const series = new Map<string, { chart: TrendChart; points: SeriesPoint[]; gates: boolean }>();
  runs.forEach(({ run }, runIndex) => {
    for (const row of run.bench?.results ?? []) {
      if (row.error) continue;
      const chartKey = `${row.workload}\u0000${row.metric}`;
      let chart = charts.get(chartKey);
      if (!chart) {
        chart = { workload: row.workload, metric: row.metric, unit: row.unit, direction: metricDirection(row.unit), runs: labels, points: [], steps: [] };
        charts.set(chartKey, chart);
      }
      const { value, low, high } = runValue(row);
      const point: SeriesPoint = { run: labels[runIndex]!, variant: row.variant, value, low, high, runIndex };
      chart.points.push({ run: point.run, variant: point.variant, value: point.value, low, high });
      const name = rowName(row);
      if (!series.has(name)) series.set(name, { chart, points: [], gates: true });
      const entry = series.get(name)!;
      entry.points.push(point);
      if (row.flags?.some((flag) => flag in UNTRUSTED_FLAGS)) entry.gates = false;
    }
  });

  const steps: StepReport[] = [];
  for (const [name, { chart, points, gates }] of series) {
    for (const step of detectSteps(points.map((p) => p.value), { factor: options.factor, alpha: options.alpha, seed: options.seed })) {
      const point = points[step.index]!;
      const kind = isWorse(step.ratio, chart.direction) ? 'regression' : 'improvement';
      const change = `${step.ratio >= 1 ? '+' : ''}${((step.ratio - 1) * 100).toFixed(1)}%`;
      chart.steps.push({ run: point.run, variant: point.variant, value: point.value, kind, label: `${point.variant} ${change}` });
      steps.push({
        name,
        run: point.run,
        runIndex: point.runIndex,
        commit: runs[point.runIndex]!.run.context.commit,
        kind,
        before: step.before,
        after: step.after,
        ratio: step.ratio,
        p: step.p,
        gates,
      });
    }
  }
  steps.sort((a, b) => b.runIndex - a.runIndex || a.name.localeCompare(b.name));
  const latest = runs.length >= 2 ? compareRuns(runs[runs.length - 2]!.run, runs[runs.length - 1]!.run, options) : null;
  return { runs: labels, charts: [...charts.values()], steps, latest };
}

/**
 * What `history --check` gates on: the newest step among the rows that gate (the run at which
 * the most recent one happened) and the regressions at it. A nightly job fails while the newest
 * step is a regression, so a slow drift that no single compare of two runs flags still stops
 * CI once E-divisive sees it (a step needs two runs on each side), until a later step (a fix)
 * takes its place.
 */
export function newestStep(history: History): { run: string; regressions: StepReport[] } | null {
  const gating = history.steps.filter((step) => step.gates);
  if (gating.length === 0) return null;
  const newest = Math.max(...gating.map((step) => step.runIndex));
  const at = gating.filter((step) => step.runIndex === newest);
  return { run: at[0]!.run, regressions: at.filter((step) => step.kind === 'regression') };
}
