// Vega-Lite spec of one metric over the stored runs: a line per design, each run's median with
// its 99% interval, and the detected steps marked (DESIGN.md: report and history share the
// Vega-Lite renderers). Pure: data in, spec out.
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from '../report/chart-style.ts';
import type { Direction } from './direction.ts';

export interface TrendPoint {
  /** The run's x-axis label, unique per run. */
  run: string;
  variant: string;
  value: number;
  low: number;
  high: number;
}

export interface TrendMarker {
  run: string;
  variant: string;
  /** The value right after the step, where the marker's label sits. */
  value: number;
  kind: 'regression' | 'improvement';
  /** e.g. "inline-lock +48.0%". */
  label: string;
}

export interface TrendChart {
  workload: string;
  metric: string;
  unit: string;
  direction: Direction;
  /** Run labels, oldest first: the x-axis order. */
  runs: string[];
  points: TrendPoint[];
  steps: TrendMarker[];
}

const STEP_COLORS = { regression: '#c8442f', improvement: '#2f7d32' } as const;

export function trendSpec(chart: TrendChart): TopLevelSpec {
  const x = { field: 'run', type: 'ordinal', sort: chart.runs, title: 'run (commit, date)', axis: { labelAngle: -40 } } as const;
  const y = { field: 'value', type: 'quantitative', scale: { zero: false }, title: `${chart.metric} (${chart.unit})` } as const;
  const color = { field: 'variant', type: 'nominal', title: 'design' } as const;
  const stepColor = {
    field: 'kind',
    type: 'nominal',
    title: 'detected step',
    scale: { domain: ['regression', 'improvement'], range: [STEP_COLORS.regression, STEP_COLORS.improvement] },
  } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `${chart.workload}: ${chart.metric} over runs`,
      subtitle: `median per run with its 99% interval; ${chart.direction.replace(/-/g, ' ')}; dashed rules mark detected steps`,
    },
    width: Math.max(360, chart.runs.length * 28),
    height: 220,
    layer: [
      {
        data: { values: chart.points },
        mark: { type: 'line', point: true },
        encoding: { x, y, color, tooltip: [{ field: 'variant' }, { field: 'run' }, { field: 'value', format: '.4~g' }] },
      },
      {
        data: { values: chart.points },
        mark: { type: 'rule', opacity: 0.45 },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
      },
      {
        data: { values: chart.steps },
        mark: { type: 'rule', strokeDash: [5, 3], strokeWidth: 1.5 },
        encoding: { x, stroke: stepColor },
      },
      {
        data: { values: chart.steps },
        mark: { type: 'text', align: 'left', dx: 5, dy: -6 },
        encoding: {
          x,
          y,
          text: { field: 'label' },
          color: { condition: { test: "datum.kind === 'regression'", value: STEP_COLORS.regression }, value: STEP_COLORS.improvement },
        },
      },
    ],
  } as TopLevelSpec;
}
