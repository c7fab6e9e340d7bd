// How each design scales with the CPU count, in the timing model (simulated, one machine
// profile): fences signalled per second under unthrottled interrupts, and the p99
// interrupt->callback latency at the headline interrupt rate, against 1..64 CPUs on a log-x
// axis, one line per design, the lock-free floor design dashed.
import type { TopLevelSpec } from 'vega-lite';
import { scaleConfigName } from '../../bench/scale/config.ts';
import type { BenchResults } from '../results/types.ts';
import { CHART_CONFIG, designColors, DURATION_LABEL_EXPR, SI_LABEL_EXPR, VEGA_LITE_SCHEMA } from './chart-style.ts';
import { FLOOR, listDesigns } from './designs.ts';
import { readScaleFigures, THROUGHPUT_CONFIG } from './scale-figures.ts';

const WIDTH = 520;
const HEIGHT = 220;

export function scalingSpec(bench: BenchResults): TopLevelSpec {
  const f = readScaleFigures(bench)!;
  const h = f.headline!;
  const designs = listDesigns({ bench }).map((d) => d.name);
  const panels = [
    { config: THROUGHPUT_CONFIG, metric: 'fences_per_s', title: `fences signalled per second (${scaleConfigName(THROUGHPUT_CONFIG)})`, labelExpr: SI_LABEL_EXPR },
    { config: h.config, metric: 'cb_latency_p99_ns', title: `p99 interrupt→callback latency (${scaleConfigName(h.config)})`, labelExpr: DURATION_LABEL_EXPR },
  ];
  const panel = (p: (typeof panels)[number]) => {
    const values = [...designs, FLOOR].flatMap((design) =>
      f.cpus(h.profile, p.config).flatMap((cpus) => {
        const v = f.value(design, h.profile, cpus, p.config, p.metric);
        return v === undefined || !(v > 0) ? [] : [{ design, cpus, value: v, kind: design === FLOOR ? 'floor' : 'design' }];
      }),
    );
    return {
      title: p.title,
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      mark: { type: 'line' as const, point: true, strokeWidth: 1.6 },
      encoding: {
        x: { field: 'cpus', type: 'quantitative' as const, scale: { type: 'log' as const, base: 2 }, axis: { title: 'simulated CPUs (log scale)', values: f.cpus(h.profile, p.config), format: 'd' } },
        y: { field: 'value', type: 'quantitative' as const, scale: { type: 'log' as const }, axis: { title: null, labelExpr: p.labelExpr } },
        color: { field: 'design', type: 'nominal' as const, scale: designColors(designs, FLOOR), legend: { title: null, orient: 'right' as const } },
        strokeDash: { field: 'kind', type: 'nominal' as const, scale: { domain: ['design', 'floor'], range: [[1, 0], [5, 3]] }, legend: null },
      },
    };
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: `Scaling with the CPU count (simulated: ${h.profile})`,
      subtitle: [`timing model ${f.model}: every figure simulated on the ${h.profile} profile, none measured on this host`, 'the lock-free floor design dashed'],
    },
    vconcat: panels.map(panel),
  } as TopLevelSpec;
}
