// Fences signalled per second against the offered IRQ rate, one line per design, one panel
// per thread setup swept over the rate; the lock-free floor design dashed, the offered
// rate (interrupts per second per context x contexts) dotted. x is ordinal, the rates in
// ascending order and irq=max (unthrottled) last; the sweep's rates double from one to the
// next, so on the log y axis a design that keeps up runs parallel to the offered line and
// saturation bends it flat.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from '../results/types.ts';
import { IRQ_METRICS, readBenchFigures, type IrqConfig } from './bench-figures.ts';
import { CHART_CONFIG, designColors, oneTwoFiveTicks, SI_LABEL_EXPR, VEGA_LITE_SCHEMA } from './chart-style.ts';
import { FLOOR, listDesigns } from './designs.ts';

const PLOT_HEIGHT = 280;
const OFFERED = 'offered rate';
const OFFERED_COLOR = '#b0b0b0';

/** The rate sweeps: setups measured at two rates or more (else every setup, one rate each). */
function sweeps(configs: IrqConfig[]): Map<string, IrqConfig[]> {
  const bySetup = new Map<string, IrqConfig[]>();
  for (const config of configs) bySetup.set(config.rest, [...(bySetup.get(config.rest) ?? []), config]);
  const swept = new Map([...bySetup].filter(([, group]) => new Set(group.map((c) => c.irqRate)).size > 1));
  return swept.size ? swept : bySetup;
}

export function throughputSpec(bench: BenchResults): TopLevelSpec {
  const figures = readBenchFigures(bench);
  const designs = listDesigns({ bench }).map((d) => d.name);
  const setups = sweeps(figures.irqConfigs);
  const setupName = (config: IrqConfig) => `${config.rest || 'default'} (${config.threads} threads)`;
  const values = [...setups.values()].flat().flatMap((config) => {
    const rows = [...designs, FLOOR].flatMap((design) => {
      const fencesPerS = figures.value(design, config.workload, IRQ_METRICS.fencesPerS);
      return fencesPerS === undefined
        ? []
        : [{ design, rate: config.rateLabel, fencesPerS, setup: setupName(config), kind: design === FLOOR ? 'floor' : 'design' }];
    });
    const offered = config.irqRate * (config.settings.ctx ?? 1);
    if (rows.length && Number.isFinite(offered)) {
      rows.push({ design: OFFERED, rate: config.rateLabel, fencesPerS: offered, setup: setupName(config), kind: 'offered' });
    }
    return rows;
  });
  const rates = [...new Set([...setups.values()].flat().map((c) => c.rateLabel))];
  const all = values.map((v) => v.fencesPerS).filter((v) => v > 0);
  const ticks = all.length ? oneTwoFiveTicks(Math.min(...all), Math.max(...all), PLOT_HEIGHT) : [1, 10];
  const colors = designColors(designs, FLOOR);
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Throughput under interrupt load',
      subtitle: 'fences signalled per second at each offered IRQ rate (max = unthrottled); floor = the lock-free floor design',
    },
    data: { values },
    facet: { column: { field: 'setup', type: 'nominal', header: { title: null, labelFontWeight: 'bold' } } },
    spec: {
      width: Math.max(300, rates.length * 70),
      height: PLOT_HEIGHT,
      encoding: {
        x: {
          field: 'rate',
          type: 'ordinal',
          sort: rates,
          scale: { domain: rates },
          axis: { title: 'offered IRQ rate per context (IRQ/s)', labelAngle: 0, grid: false },
        },
        y: {
          field: 'fencesPerS',
          type: 'quantitative',
          scale: { type: 'log', domain: [ticks[0]!, ticks[ticks.length - 1]!], nice: false },
          axis: { title: 'fences/s (log scale)', values: ticks, labelExpr: SI_LABEL_EXPR },
        },
        color: {
          field: 'design',
          type: 'nominal',
          scale: { domain: [...colors.domain, OFFERED], range: [...colors.range, OFFERED_COLOR] },
          legend: { title: 'design', symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 },
        },
      },
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.8 },
          encoding: {
            strokeDash: {
              field: 'kind',
              type: 'nominal',
              scale: { domain: ['design', 'floor', 'offered'], range: [[1, 0], [5, 3], [2, 2]] },
              legend: null,
            },
          },
        },
        { mark: { type: 'point', filled: true, size: 30, opacity: 1 } },
        {
          transform: [{ filter: "datum.kind === 'offered'" }],
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 7, fontSize: 10.5, color: '#777777' },
          encoding: { text: { value: 'offered' }, color: { value: '#777777' } },
        },
      ],
    },
  };
}
