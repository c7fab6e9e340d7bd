// Latency percentiles per design at the heaviest IRQ load measured, in two panels: from the
// interrupt to the callback running, and from the interrupt to dma_fence_wait()'s return in
// the waiter. A line from p50 to p99.9 with a mark at each percentile, log scale (tails
// differ by decades); designs sorted by callback p99, the lock-free floor design last.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from '../results/types.ts';
import { describeLoad, IRQ_METRICS, readBenchFigures } from './bench-figures.ts';
import { CHART_CONFIG, DURATION_LABEL_EXPR, oneTwoFiveTicks, VEGA_LITE_SCHEMA } from './chart-style.ts';
import { FLOOR, listDesigns } from './designs.ts';

const PANEL_WIDTH = 340;

const PERCENTILES = [
  { name: 'p50', color: '#1f77b4', shape: 'circle' },
  { name: 'p99', color: '#d62728', shape: 'diamond' },
  { name: 'p99.9', color: '#222222', shape: 'triangle-up' },
] as const;

const PANELS = [
  { what: 'interrupt → callback', metrics: [IRQ_METRICS.p50, IRQ_METRICS.p99, IRQ_METRICS.p999] },
  { what: 'interrupt → waiter returns', metrics: [IRQ_METRICS.wakeP50, IRQ_METRICS.wakeP99, IRQ_METRICS.wakeP999] },
] as const;

export function latencySpec(bench: BenchResults): TopLevelSpec {
  const figures = readBenchFigures(bench);
  const load = figures.heaviestLoad;
  const rows = [...listDesigns({ bench }).map((d) => d.name), FLOOR];
  const panels = PANELS.filter((panel) => rows.some((d) => load && figures.value(d, load.workload, panel.metrics[1]) !== undefined));
  const values = panels.flatMap((panel) =>
    rows.flatMap((design) => {
      const ns = PERCENTILES.map((_, i) => (load ? figures.value(design, load.workload, panel.metrics[i]!) : undefined));
      const high = ns[2] ?? ns[1];
      return PERCENTILES.flatMap((p, i) =>
        ns[i] === undefined || !(ns[i]! > 0)
          ? []
          : [{ design, what: panel.what, percentile: p.name, ns: ns[i]!, ...(i === 0 && high !== undefined ? { high } : {}) }],
      );
    }),
  );
  // designs sorted by callback p99, the floor kept last as the reference
  const p99Of = (design: string) =>
    values.find((v) => v.design === design && v.percentile === 'p99' && v.what === panels[0]?.what)?.ns ?? Infinity;
  const order = rows.filter((d) => d !== FLOOR).sort((a, b) => p99Of(a) - p99Of(b));
  order.push(FLOOR);
  const nanoseconds = values.map((v) => v.ns);
  const ticks = nanoseconds.length ? oneTwoFiveTicks(Math.min(...nanoseconds), Math.max(...nanoseconds), PANEL_WIDTH) : [1, 10];
  const y = { field: 'design', type: 'nominal' as const, sort: order, axis: { title: null } };
  const x = {
    field: 'ns',
    type: 'quantitative' as const,
    scale: { type: 'log' as const, domain: [ticks[0]!, ticks[ticks.length - 1]!], nice: false },
    axis: { title: 'latency (log scale)', values: ticks, labelExpr: DURATION_LABEL_EXPR },
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Latency under interrupt load',
      subtitle: load ? `p50, p99, p99.9 per design at ${describeLoad(load)}; floor = the lock-free floor design` : 'no irq-load rows',
    },
    data: { values },
    facet: {
      column: { field: 'what', type: 'nominal', sort: panels.map((p) => p.what), header: { title: null, labelFontWeight: 'bold' } },
    },
    spec: {
      width: PANEL_WIDTH,
      height: { step: 24 },
      layer: [
        {
          transform: [{ filter: 'isValid(datum.high)' }],
          mark: { type: 'rule', color: '#9a9a9a', strokeWidth: 2 },
          encoding: { y, x, x2: { field: 'high' } },
        },
        {
          mark: { type: 'point', filled: true, size: 70, opacity: 1 },
          encoding: {
            y,
            x,
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
    },
  };
}
