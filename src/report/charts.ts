// Which charts a report has: each one whose inputs are present.
import type { TopLevelSpec } from 'vega-lite';
import { readBenchFigures } from './bench-figures.ts';
import type { ReportInputs } from './inputs.ts';
import { latencySpec } from './latency-chart.ts';
import { litmusSpec } from './litmus-chart.ts';
import { safetyCostSpec } from './safety-cost-chart.ts';
import { readScaleFigures } from './scale-figures.ts';
import { scalingSpec } from './scaling-chart.ts';
import { throughputSpec } from './throughput-chart.ts';
import { verdictHeatmapSpec } from './verdict-heatmap-chart.ts';

export interface Chart {
  /** File stem: NAME.vl.json, NAME.svg, NAME.png. */
  name: string;
  /** One line for the HTML page and the file list. */
  caption: string;
  spec: TopLevelSpec;
}

export function buildCharts(inputs: ReportInputs): Chart[] {
  const { check, litmus, bench } = inputs;
  const hasChecks = !!check?.results.length;
  const figures = bench && readBenchFigures(bench);
  const hasLoad = !!figures?.heaviestLoad;
  const simulated = bench && readScaleFigures(bench)?.headline;
  const charts: Chart[] = [];
  if (hasChecks && (hasLoad || simulated)) {
    charts.push({
      name: 'safety-cost',
      caption: simulated
        ? `Races each design survives, against its p99 interrupt→callback latency on ${simulated.cpus} simulated CPUs (${simulated.profile})`
        : 'Races each design survives, against its p99 interrupt→callback latency under load',
      spec: safetyCostSpec(check, bench!),
    });
  }
  if (hasChecks) {
    charts.push({
      name: 'verdict-heatmap',
      caption: 'Verdict of every design on every race (and every failed semantic test), per memory model',
      spec: verdictHeatmapSpec(check),
    });
  }
  if (hasLoad) {
    charts.push(
      { name: 'throughput-irq', caption: 'Fences signalled per second against the offered IRQ rate, per design', spec: throughputSpec(bench!) },
      { name: 'latency-percentiles', caption: 'Interrupt→callback and interrupt→wake-up latency percentiles per design', spec: latencySpec(bench!) },
    );
  }
  if (simulated) {
    charts.push({
      name: 'scaling',
      caption: `Fences/s and p99 interrupt→callback latency against 1..64 simulated CPUs (${simulated.profile}), per design`,
      spec: scalingSpec(bench!),
    });
  }
  if (litmus?.results.length) {
    charts.push({
      name: 'litmus-conformance',
      caption: "LKMM litmus tests: each memory model's result against LKMM's",
      spec: litmusSpec(litmus),
    });
  }
  return charts;
}
