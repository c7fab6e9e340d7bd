// The headline chart: each design a point, x its p99 signal→callback latency under the
// heaviest IRQ load, y how many races it survives under the weakest memory model checked.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults, CheckResults } from '../results/types.ts';
import { describeLoad, IRQ_METRICS, readBenchFigures } from './bench-figures.ts';
import { CHART_CONFIG, designColors, VEGA_LITE_SCHEMA } from './chart-style.ts';
import { listDesigns } from './designs.ts';
import { buildVerdictMatrix, scenariosSurvived, weakestModel } from './verdicts.ts';

const PLOT_WIDTH = 520;
const PLOT_HEIGHT = 300;
/** Approximate px per character of an 11px DejaVu Sans label, for keeping labels apart. */
const LABEL_CHAR_PX = 6.2;
const POINT_RADIUS_PX = 6;
const LABEL_LINE_PX = 13;

interface Point {
  design: string;
  latencyNs: number;
  survived: number;
}

/**
 * Vertical label offsets so that names of designs with the same survival count and close
 * latencies print neither over each other nor over another design's point: each label
 * takes the first slot (same line, below, above, two below, ...) where it clears the
 * labels already placed and, on the point's own line, the other points.
 */
function labelOffsets(points: Point[], pxPerNs: number): number[] {
  const taken: { survived: number; slot: number; from: number; to: number; owner: number }[] = points.map((p, i) => ({
    survived: p.survived,
    slot: 0,
    from: p.latencyNs * pxPerNs - POINT_RADIUS_PX,
    to: p.latencyNs * pxPerNs + POINT_RADIUS_PX,
    owner: i,
  }));
  const order = points.map((_, i) => i).sort((a, b) => points[a]!.latencyNs - points[b]!.latencyNs);
  const offsets = new Array<number>(points.length).fill(0);
  for (const i of order) {
    const p = points[i]!;
    const from = p.latencyNs * pxPerNs + POINT_RADIUS_PX;
    const to = from + 4 + p.design.length * LABEL_CHAR_PX;
    const clashes = (slot: number) =>
      taken.some((q) => q.owner !== i && q.survived === p.survived && q.slot === slot && q.from < to && from < q.to);
    let slot = 0;
    while (clashes(slot)) slot++;
    taken.push({ survived: p.survived, slot, from, to, owner: i });
    // slots alternate below and above the point: 0, +1, -1, +2, -2 ...
    offsets[i] = slot === 0 ? 0 : (slot % 2 === 1 ? 1 : -1) * Math.ceil(slot / 2) * LABEL_LINE_PX;
  }
  return offsets;
}

export function safetyCostSpec(check: CheckResults, bench: BenchResults): TopLevelSpec {
  const matrix = buildVerdictMatrix(check);
  const model = weakestModel(matrix) ?? 'weak';
  const figures = readBenchFigures(bench);
  const load = figures.heaviestLoad;
  const designs = listDesigns({ check, bench }).map((d) => d.name);
  const points: Point[] = [];
  for (const design of designs) {
    const latencyNs = load && figures.value(design, load.workload, IRQ_METRICS.p99);
    if (latencyNs === undefined) continue;
    points.push({ design, latencyNs, survived: scenariosSurvived(matrix, model, design) });
  }
  const total = matrix.scenarios.length;
  const maxNs = Math.max(1, ...points.map((p) => p.latencyNs));
  const offsets = labelOffsets(points, PLOT_WIDTH / (maxNs * 1.1));
  // label positions in data units: y runs from 0 at the bottom to `total` at the top
  const values = points.map((p, i) => ({ ...p, labelY: p.survived - (offsets[i]! * Math.max(total, 1)) / PLOT_HEIGHT }));
  const loadText = load ? describeLoad(load) : 'no irq-load rows';
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Race safety against cost under interrupt load',
      subtitle: `up and to the left is better; load: ${loadText}`,
    },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    data: { values },
    encoding: {
      x: {
        field: 'latencyNs',
        type: 'quantitative',
        scale: { domain: [0, maxNs * 1.1], nice: false },
        axis: { title: 'p99 signal→callback latency under load (ns)', format: ',d', tickCount: 6 },
      },
      y: {
        field: 'survived',
        type: 'quantitative',
        scale: { domain: [0, total] },
        axis: { title: `races survived under ${model} (of ${total})`, format: 'd', tickMinStep: 1 },
      },
      color: { field: 'design', type: 'nominal', scale: designColors(designs), legend: null },
    },
    layer: [
      { mark: { type: 'point', filled: true, size: 90, opacity: 1 } },
      {
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 8, fontSize: 11 },
        encoding: { text: { field: 'design', type: 'nominal' }, y: { field: 'labelY', type: 'quantitative' } },
      },
    ],
  };
}
