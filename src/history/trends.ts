// From the stored runs of one machine to what `fence-lab history` shows: one trend chart per
// (workload, metric), the steps detected in each design's series, and the regressions among
// them, newest first, next to the pairwise compare of the latest run with the one before it.
import { compareRuns, type CompareOptions, type Comparison, rowName } from './compare.ts';
import { isWorse, metricDirection } from './direction.ts';
import { detectSteps } from './steps.ts';
import { median, medianConfidenceInterval } from './stats.ts';
import type { StoredRun } from './store.ts';
import type { TrendChart, TrendPoint } from './trend-spec.ts';

export interface StepReport {
  /** "design workload metric". */
  name: string;
  /** The first run after the step. */
  run: string;
  commit: string;
  kind: 'regression' | 'improvement';
  before: number;
  after: number;
  ratio: number;
  p: number;
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

export function buildHistory(runs: readonly StoredRun[], options: CompareOptions): History {
  const labels = runLabels(runs);
  const charts = new Map<string, TrendChart>();
  const series = new Map<string, { chart: TrendChart; points: SeriesPoint[] }>();
  runs.forEach(({ run }, runIndex) => {
    for (const row of run.bench?.results ?? []) {
      if (row.error) continue;
      const chartKey = `${row.workload}\u0000${row.metric}`;
      let chart = charts.get(chartKey);
      if (!chart) {
        chart = { workload: row.workload, metric: row.metric, unit: row.unit, direction: metricDirection(row.unit), runs: labels, points: [], steps: [] };
        charts.set(chartKey, chart);
      }
      const samples = row.samples.length > 0 ? row.samples : [row.value];
      const [low, high] = medianConfidenceInterval(samples, 0.99);
      const point: SeriesPoint = { run: labels[runIndex]!, variant: row.variant, value: median(samples), low, high, runIndex };
      chart.points.push({ run: point.run, variant: point.variant, value: point.value, low, high });
      const name = rowName(row);
      if (!series.has(name)) series.set(name, { chart, points: [] });
      series.get(name)!.points.push(point);
    }
  });

  const steps: StepReport[] = [];
  for (const [name, { chart, points }] of series) {
    for (const step of detectSteps(points.map((p) => p.value), { factor: options.factor, alpha: options.alpha, seed: options.seed })) {
      const point = points[step.index]!;
      const kind = isWorse(step.ratio, chart.direction) ? 'regression' : 'improvement';
      const change = `${step.ratio >= 1 ? '+' : ''}${((step.ratio - 1) * 100).toFixed(1)}%`;
      chart.steps.push({ run: point.run, variant: point.variant, value: point.value, kind, label: `${point.variant} ${change}` });
      steps.push({
        name,
        run: point.run,
        commit: runs[point.runIndex]!.run.context.commit,
        kind,
        before: step.before,
        after: step.after,
        ratio: step.ratio,
        p: step.p,
      });
    }
  }
  steps.sort((a, b) => labels.indexOf(b.run) - labels.indexOf(a.run) || a.name.localeCompare(b.name));
  const latest = runs.length >= 2 ? compareRuns(runs[runs.length - 2]!.run, runs[runs.length - 1]!.run, options) : null;
  return { runs: labels, charts: [...charts.values()], steps, latest };
}
