// The headline chart: each design a point, x its p99 interrupt→callback latency under the
// headline simulated configuration when the results have timing-model rows (a stated profile
// and CPU count: src/report/scale-figures.ts), else under the heaviest IRQ load measured
// natively (log scale: one design can cost decades more than the rest),
// y how many races it survives under the weakest memory model checked. The lock-free floor
// design's latency in the same run is a dashed vertical line: no design can be left of it.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults, CheckResults } from '../results/types.ts';
import { describeLoad, IRQ_METRICS, readBenchFigures } from './bench-figures.ts';
import { CHART_CONFIG, designColors, DURATION_LABEL_EXPR, oneTwoFiveTicks, VEGA_LITE_SCHEMA } from './chart-style.ts';
import { FLOOR, listDesigns } from './designs.ts';
import { describeHeadline, readScaleFigures } from './scale-figures.ts';
import { chartDuration } from './format.ts';
import { buildVerdictMatrix, racesSurvived, weakestModel } from './verdicts.ts';

const PLOT_WIDTH = 560;
const PLOT_HEIGHT = 320;
/** Approximate px per character of an 11px DejaVu Sans label, for keeping labels apart. */
const LABEL_CHAR_PX = 6.4;
const POINT_RADIUS_PX = 6;
const LABEL_LINE_PX = 13;
const LABEL_DX = 8;
/** Vertical spread between points that would hide each other. */
const DODGE_PX = 6;

interface Point {
  design: string;
  latencyNs: number;
  survived: number;
  /** The latency as the chart prints it (in the data, for the spec's reader). */
  label: string;
}

/** A point's pixel position; `cluster` numbers points drawn (nearly) on top of each other. */
interface Pixel {
  x: number;
  y: number;
  cluster: number;
}

interface Placement {
  /** Pixel offset of the label's anchor (the end nearest the point) from the point. */
  dx: number;
  dy: number;
  side: 'right' | 'left';
  /** Drawn with a leader line from the point, being away from it. */
  leader: boolean;
}

type Box = { x0: number; x1: number; y0: number; y1: number };

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

function segmentHits(x0: number, y0: number, x1: number, y1: number, box: Box): boolean {
  for (let t = 0.05; t <= 0.95; t += 0.05) {
    const [x, y] = [x0 + (x1 - x0) * t, y0 + (y1 - y0) * t];
    if (x > box.x0 && x < box.x1 && y > box.y0 && y < box.y1) return true;
  }
  return false;
}

/**
 * Pixel positions, with points that would hide each other (same race count, latencies
 * closer than a point's width) spread a few pixels apart vertically: the count they show
 * stays readable and both are seen.
 */
function dodge(points: Point[], xPx: (ns: number) => number, yPx: (survived: number) => number): Pixel[] {
  const pixels: Pixel[] = points.map((p, i) => ({ x: xPx(p.latencyNs), y: yPx(p.survived), cluster: i }));
  const byLine = new Map<number, number[]>();
  points.forEach((p, i) => byLine.set(p.survived, [...(byLine.get(p.survived) ?? []), i]));
  for (const members of byLine.values()) {
    members.sort((a, b) => pixels[a]!.x - pixels[b]!.x);
    let group: number[] = [];
    const flush = () => {
      group.forEach((i, k) => {
        pixels[i]!.y += (k - (group.length - 1) / 2) * DODGE_PX;
        pixels[i]!.cluster = group[0]!;
      });
      group = [];
    };
    for (const i of members) {
      const last = group[group.length - 1];
      if (last !== undefined && pixels[i]!.x - pixels[last]!.x > POINT_RADIUS_PX * 1.2) flush();
      group.push(i);
    }
    flush();
  }
  return pixels;
}

/**
 * Places each design's label (names of close designs would print over each other): next to
 * its point where that is free, else the nearest free place, with a leader line from the
 * point. A label covers no point and no other label, and no leader crosses a label or a
 * point other than those drawn on top of its own. Points are placed from the right.
 */
function placeLabels(points: Point[], pixels: Pixel[], obstacles: Box[]): Placement[] {
  const dots: Box[] = pixels.map(({ x, y }) => ({ x0: x - POINT_RADIUS_PX, x1: x + POINT_RADIUS_PX, y0: y - POINT_RADIUS_PX, y1: y + POINT_RADIUS_PX }));
  const candidates: (Placement & { cost: number })[] = [];
  for (let line = -5; line <= 5; line++) {
    for (let shift = 0; shift <= 12; shift++) {
      for (const side of ['right', 'left'] as const) {
        const dx = (LABEL_DX + shift * 12) * (side === 'right' ? 1 : -1);
        const cost = Math.abs(line) + shift * 0.4 + (side === 'left' ? 0.3 : 0) + (line < 0 ? 0.1 : 0);
        candidates.push({ dx, dy: line * LABEL_LINE_PX, side, leader: line !== 0 || shift !== 0, cost });
      }
    }
  }
  candidates.sort((a, b) => a.cost - b.cost);
  const labels: Box[] = [];
  const leaders: [number, number, number, number][] = [];
  const out = new Array<Placement>(points.length);
  const order = points.map((_, i) => i).sort((a, b) => pixels[b]!.x - pixels[a]!.x || pixels[a]!.y - pixels[b]!.y);
  for (const i of order) {
    const { x, y, cluster } = pixels[i]!;
    const width = 2 + points[i]!.design.length * LABEL_CHAR_PX;
    const boxOf = (c: Placement): Box => {
      const x0 = c.side === 'right' ? x + c.dx - 1 : x + c.dx + 1 - width;
      return { x0, x1: x0 + width, y0: y + c.dy - LABEL_LINE_PX / 2 + 1, y1: y + c.dy + LABEL_LINE_PX / 2 - 1 };
    };
    const others = dots.filter((_, j) => pixels[j]!.cluster !== cluster);
    const fits = (c: Placement) => {
      const box = boxOf(c);
      if (box.x0 < -LABEL_DX || box.x1 > PLOT_WIDTH || box.y0 < 0 || box.y1 > PLOT_HEIGHT) return false;
      if (labels.some((b) => overlaps(b, box)) || dots.some((d, j) => j !== i && overlaps(d, box))) return false;
      if (obstacles.some((b) => overlaps(b, box))) return false;
      if (leaders.some(([a, b, c2, d]) => segmentHits(a, b, c2, d, box))) return false;
      if (!c.leader) return true;
      const [lx, ly] = [x + c.dx, y + c.dy];
      return !labels.some((b) => segmentHits(x, y, lx, ly, b)) && !others.some((d) => segmentHits(x, y, lx, ly, d));
    };
    const choice: Placement = candidates.find(fits) ?? { dx: LABEL_DX, dy: 0, side: 'right', leader: false };
    labels.push(boxOf(choice));
    if (choice.leader) leaders.push([x, y, x + choice.dx, y + choice.dy]);
    out[i] = { dx: choice.dx, dy: choice.dy, side: choice.side, leader: choice.leader };
  }
  return out;
}

export function safetyCostSpec(check: CheckResults, bench: BenchResults): TopLevelSpec {
  const matrix = buildVerdictMatrix(check);
  const model = weakestModel(matrix) ?? 'weak';
  const figures = readBenchFigures(bench);
  const load = figures.heaviestLoad;
  const designs = listDesigns({ check, bench }).map((d) => d.name);
  const scale = readScaleFigures(bench);
  const sim = scale?.headline;
  const p99 = (design: string) =>
    sim ? scale!.value(design, sim.profile, sim.cpus, sim.config, IRQ_METRICS.p99) : load && figures.value(design, load.workload, IRQ_METRICS.p99);
  const points: Point[] = [];
  for (const design of designs) {
    const latencyNs = p99(design);
    if (latencyNs === undefined || !(latencyNs > 0)) continue;
    points.push({ design, latencyNs, survived: racesSurvived(matrix, model, design), label: chartDuration(latencyNs) });
  }
  const floorNs = sim ? p99(FLOOR) : load && figures.irqFloor(load.workload, IRQ_METRICS.p99);
  const total = matrix.races.length;
  const spread = [...points.map((p) => p.latencyNs), ...(floorNs && floorNs > 0 ? [floorNs] : [])];
  const ticks = spread.length ? oneTwoFiveTicks(Math.min(...spread), Math.max(...spread), PLOT_WIDTH) : [1, 10];
  const [low, high] = [ticks[0]!, ticks[ticks.length - 1]!];
  const xPx = (ns: number) => ((Math.log(ns) - Math.log(low)) / (Math.log(high) - Math.log(low))) * PLOT_WIDTH;
  const yPx = (survived: number) => PLOT_HEIGHT - (survived / Math.max(total, 1)) * PLOT_HEIGHT;
  const pixels = dodge(points, xPx, yPx);
  // the floor's dashed line and its label
  const floorLabel = floorNs && floorNs > 0 ? `lock-free floor ${chartDuration(floorNs)}` : '';
  const obstacles: Box[] = floorLabel
    ? [
        { x0: xPx(floorNs!) - 2, x1: xPx(floorNs!) + 2, y0: 0, y1: PLOT_HEIGHT },
        { x0: xPx(floorNs!), x1: xPx(floorNs!) + 8 + floorLabel.length * 6, y0: 0, y1: 18 },
      ]
    : [];
  const placements = placeLabels(points, pixels, obstacles);
  // positions in data units: y runs from 0 at the bottom to `total` at the top, x is log
  const nsAt = (px: number) => Math.exp(Math.log(low) + (px / PLOT_WIDTH) * (Math.log(high) - Math.log(low)));
  const countAt = (py: number) => ((PLOT_HEIGHT - py) / PLOT_HEIGHT) * Math.max(total, 1);
  const values = points.map((p, i) => {
    const { dx, dy, side, leader } = placements[i]!;
    const { x, y } = pixels[i]!;
    return { ...p, pointY: countAt(y), labelNs: nsAt(x + dx), labelY: countAt(y + dy), labelSide: side, leader };
  });
  const x = {
    field: 'latencyNs',
    type: 'quantitative' as const,
    scale: { type: 'log' as const, domain: [low, high], nice: false },
    axis: {
      title: `p99 interrupt→callback latency ${sim ? `on ${sim.cpus} simulated CPUs` : 'under load'} (log scale)`,
      values: ticks,
      labelExpr: DURATION_LABEL_EXPR,
    },
  };
  const floorLayer =
    floorNs && floorNs > 0
      ? [
          {
            data: { values: [{ latencyNs: floorNs, label: floorLabel }] },
            layer: [
              { mark: { type: 'rule' as const, strokeDash: [5, 3], color: '#777777', strokeWidth: 1.2 }, encoding: { x } },
              {
                mark: { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 4, y: 4, fontSize: 10.5, color: '#555555' },
                encoding: { x, text: { field: 'label', type: 'nominal' as const } },
              },
            ],
          },
        ]
      : [];
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Race safety against cost under interrupt load',
      subtitle: [
        `up and to the left is better; ${total} races checked under ${model}, the weakest model in the results`,
        sim ? describeHeadline(scale!) : `load: ${load ? describeLoad(load) : 'no irq-load rows'}`,
      ],
    },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    data: { values },
    layer: [
      ...floorLayer,
      {
        encoding: {
          x,
          y: {
            field: 'pointY',
            type: 'quantitative',
            scale: { domain: [0, total] },
            axis: { title: `races with no violation found under ${model} (of ${total})`, format: 'd', tickMinStep: 1 },
          },
          color: { field: 'design', type: 'nominal', scale: designColors(designs), legend: null },
        },
        layer: [
          {
            transform: [{ filter: 'datum.leader' }],
            mark: { type: 'rule', strokeWidth: 0.8, opacity: 0.8 },
            encoding: { x2: { field: 'labelNs' }, y2: { field: 'labelY' } },
          },
          { mark: { type: 'point', filled: true, size: 90, opacity: 1, stroke: 'white', strokeWidth: 1 } },
          // design names only: the latencies are on the axis and in report.txt's cost table
          ...(['right', 'left'] as const).map((side) => ({
            transform: [{ filter: `datum.labelSide === '${side}'` }],
            mark: {
              type: 'text' as const,
              align: side === 'right' ? ('left' as const) : ('right' as const),
              baseline: 'middle' as const,
              dx: side === 'right' ? 1 : -1,
              fontSize: 11,
            },
            encoding: {
              text: { field: 'design', type: 'nominal' as const },
              x: { field: 'labelNs', type: 'quantitative' as const },
              y: { field: 'labelY', type: 'quantitative' as const },
            },
          })),
        ],
      },
    ],
  };
}
