// One run's bench rows in the formats CI services ingest, so a service can keep its own history
// next to ours:
//  - github-action-benchmark `tool: customSmallerIsBetter | customBiggerIsBetter`: a JSON array
//    of `{ name, value, unit, range?, extra? }` (its src/extract.ts `BenchmarkResult`); one tool
//    per file, so rows are split by direction. `range` is written "± x" because the action
//    parses that form (src/extractRangeInfo.ts).
//  - Bencher Metric Format: `{ "<benchmark>": { "<measure>": { value, lower_value?,
//    upper_value? } } }` (bencher.dev/docs/reference/bencher-metric-format, bmf.json schema).
// The value is the median of the row's samples and the bounds its 99% distribution-free
// confidence interval (the interval asv stores as `ci_99`).
import type { BenchResults, BenchRow } from '../results/types.ts';
import { rowName } from './compare.ts';
import { metricDirection } from './direction.ts';
import { median, medianConfidenceInterval } from './stats.ts';

export interface GithubBenchmarkEntry {
  name: string;
  value: number;
  unit: string;
  range?: string;
  extra?: string;
}

/** Keyed by the action's `tool` input; write each array to its own `output-file-path`. */
export interface GithubActionBenchmarkExport {
  customSmallerIsBetter: GithubBenchmarkEntry[];
  customBiggerIsBetter: GithubBenchmarkEntry[];
}

export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

export type Bmf = Record<string, Record<string, BmfMetric>>;

interface Summary {
  value: number;
  interval?: [number, number];
}

/** Rows that failed carry no meaningful value (types.ts) and are left out. */
function summarize(row: BenchRow): Summary | null {
  if (row.error) return null;
  if (row.samples.length === 0) return { value: row.value };
  return { value: median(row.samples), interval: medianConfidenceInterval(row.samples, 0.99) };
}

function significant(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

export function toGithubActionBenchmark(bench: BenchResults): GithubActionBenchmarkExport {
  const out: GithubActionBenchmarkExport = { customSmallerIsBetter: [], customBiggerIsBetter: [] };
  for (const row of bench.results) {
    const summary = summarize(row);
    if (!summary) continue;
    const entry: GithubBenchmarkEntry = { name: rowName(row), value: summary.value, unit: row.unit };
    if (summary.interval) {
      const [low, high] = summary.interval;
      entry.range = `± ${significant(Math.max(summary.value - low, high - summary.value))}`;
      entry.extra = `median of ${row.samples.length} samples; 99% CI [${significant(low)}, ${significant(high)}]\ncommit ${bench.context.commit} on ${bench.context.cpu} (${bench.context.cores} cores)`;
    }
    const tool = metricDirection(row.unit) === 'higher-is-better' ? 'customBiggerIsBetter' : 'customSmallerIsBetter';
    out[tool].push(entry);
  }
  return out;
}

/** Benchmark "<design>/<workload>", measure = the row's metric name. */
export function toBmf(bench: BenchResults): Bmf {
  const out: Bmf = {};
  for (const row of bench.results) {
    const summary = summarize(row);
    if (!summary) continue;
    const metric: BmfMetric = { value: summary.value };
    if (summary.interval) [metric.lower_value, metric.upper_value] = summary.interval;
    (out[`${row.variant}/${row.workload}`] ??= {})[row.metric] = metric;
  }
  return out;
}
