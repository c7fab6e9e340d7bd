// Signal→callback latency percentiles per design at the heaviest IRQ load: a line from
// p50 to p99.9 with a mark at each percentile, log scale (tails differ by decades).
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from '../results/types.ts';
import { describeLoad, IRQ_METRICS, readBenchFigures } from './bench-figures.ts';
import { CHART_CONFIG, SI_LABEL_EXPR, VEGA_LITE_SCHEMA } from './chart-style.ts';
import { FLOOR, listDesigns } from './designs.ts';

const PERCENTILES = [
  { name: 'p50', metric: IRQ_METRICS.p50, color: '#1f77b4', shape: 'circle' },
  { name: 'p99', metric: IRQ_METRICS.p99, color: '#d62728', shape: 'diamond' },
  { name: 'p99.9', metric: IRQ_METRICS.p999, color: '#222222', shape: 'triangle-up' },
] as const;

/**
 * Log-axis ticks at 1, 2, 5 × 10^k from the last one at or below `low` to the first one at
 * or above `high` (left to itself, Vega labels every minor tick of a log axis).
 */
function oneTwoFiveTicks(low: number, high: number): number[] {
  const all: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(low)); decade < high * 10; decade *= 10) {
    for (const step of [1, 2, 5]) all.push(step * decade);
  }
  const first = all.filter((tick) => tick <= low).length - 1;
  const last = all.findIndex((tick) => tick >= high);
  return all.slice(Math.max(0, first), last + 1);
}

export function latencySpec(bench: BenchResults): TopLevelSpec {
  const figures = readBenchFigures(bench);
  const load = figures.heaviestLoad;
  const rows = [...listDesigns({ bench }).map((d) => d.name), FLOOR];
  const points = rows.flatMap((design) =>
    PERCENTILES.flatMap((p) => {
      const ns = load && figures.value(design, load.workload, p.metric);
      return ns === undefined ? [] : [{ design, percentile: p.name, ns }];
    }),
  );
  const spans = rows.flatMap((design) => {
    const of = (name: string) => points.find((p) => p.design === design && p.percentile === name)?.ns;
    const low = of('p50');
    const high = of('p99.9') ?? of('p99');
    return low === undefined || high === undefined ? [] : [{ design, low, high }];
  });
  // designs sorted by p99, the floor kept last as the reference
  const p99Of = (design: string) => points.find((p) => p.design === design && p.percentile === 'p99')?.ns ?? Infinity;
  const order = rows.filter((d) => d !== FLOOR).sort((a, b) => p99Of(a) - p99Of(b));
  order.push(FLOOR);
  const nanoseconds = points.map((p) => p.ns);
  const ticks = nanoseconds.length ? oneTwoFiveTicks(Math.min(...nanoseconds), Math.max(...nanoseconds)) : [];
  const y = { field: 'design', type: 'nominal' as const, sort: order, axis: { title: null } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Signal→callback latency under interrupt load',
      subtitle: load ? `percentiles per design at ${describeLoad(load)}` : 'no irq-load rows',
    },
    width: 520,
    height: { step: 26 },
    layer: [
      {
        data: { values: spans },
        mark: { type: 'rule', color: '#9a9a9a', strokeWidth: 2 },
        encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: {
          y,
          x: {
            field: 'ns',
            type: 'quantitative',
            scale: { type: 'log', domain: ticks.length ? [ticks[0]!, ticks[ticks.length - 1]!] : undefined, nice: false },
            axis: { title: 'latency (ns, log scale)', values: ticks, labelExpr: SI_LABEL_EXPR },
          },
          color: {
            field: 'percentile',
            type: 'nominal',
            scale: { domain: PERCENTILES.map((p) => p.name), range: PERCENTILES.map((p) => p.color) },
            legend: { title: null, orient: 'top', direction: 'horizontal' },
          },
          shape: {
            field: 'percentile',
            type: 'nominal',
            scale: { domain: PERCENTILES.map((p) => p.name), range: PERCENTILES.map((p) => p.shape) },
          },
        },
      },
    ],
  };
}
