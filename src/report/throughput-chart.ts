// Fences signalled per second against the offered IRQ rate, one line per design, one
// panel per thread setup of the sweep; the bare-Atomics floor dashed. Both axes linear
// from zero: a design keeping up lies on the diagonal, saturation bends it flat.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from '../results/types.ts';
import { IRQ_METRICS, readBenchFigures } from './bench-figures.ts';
import { CHART_CONFIG, designColors, SI_LABEL_EXPR, VEGA_LITE_SCHEMA } from './chart-style.ts';
import { FLOOR, listDesigns } from './designs.ts';

export function throughputSpec(bench: BenchResults): TopLevelSpec {
  const figures = readBenchFigures(bench);
  const designs = listDesigns({ bench }).map((d) => d.name);
  const values = figures.irqConfigs.flatMap((config) =>
    [...designs, FLOOR].flatMap((design) => {
      const fencesPerS = figures.value(design, config.workload, IRQ_METRICS.fencesPerS);
      return fencesPerS === undefined
        ? []
        : [{ design, irqRate: config.irqRate, fencesPerS, setup: config.rest || 'default', floor: design === FLOOR }];
    }),
  );
  const rates = [...new Set(figures.irqConfigs.map((c) => c.irqRate))];
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: { text: 'Throughput under interrupt load', subtitle: 'fences signalled per second at each offered IRQ rate' },
    data: { values },
    facet: { column: { field: 'setup', type: 'nominal', header: { title: 'threads', labelFontWeight: 'bold' } } },
    spec: {
      width: 380,
      height: 260,
      encoding: {
        x: {
          field: 'irqRate',
          type: 'quantitative',
          axis: { title: 'offered IRQ rate (IRQ/s)', values: rates, labelExpr: SI_LABEL_EXPR, labelOverlap: 'greedy', grid: false },
        },
        y: { field: 'fencesPerS', type: 'quantitative', axis: { title: 'fences/s', labelExpr: SI_LABEL_EXPR } },
        color: {
          field: 'design',
          type: 'nominal',
          scale: designColors(designs, FLOOR),
          legend: { title: 'design', symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 },
        },
        strokeDash: {
          field: 'floor',
          type: 'nominal',
          scale: { domain: [false, true], range: [[1, 0], [5, 3]] },
          legend: null,
        },
      },
      layer: [{ mark: { type: 'line', strokeWidth: 1.8 } }, { mark: { type: 'point', filled: true, size: 30 } }],
    },
  };
}
