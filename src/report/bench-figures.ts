// The figures a report quotes from bench results, and the naming they rely on:
//  - micro rows: `workload` is the API operation (`dma_fence_is_signaled`, `signal-cycle`),
//    `unit` "ns", `value` the per-operation time;
//  - floor rows: `workload: "floor"`, `metric` the bare loop (`atomics-load` next to reads,
//    `atomics-cmpxchg` next to read-modify-write paths); in irq-load sweeps the floor is the
//    `variant: "floor"` row of the same workload and metric;
//  - irq-load rows: `workload: "irq-load/<config>"`, the config a comma list of key=value
//    with the offered interrupt rate as `irq=<n>[k|M]` (interrupts per second), metrics
//    fences_per_s, polls_per_s, cb_latency_p50_ns, cb_latency_p99_ns, cb_latency_p999_ns.
// Rows carrying `error` are left out of every figure (the text lists them).
import type { BenchRow, BenchResults } from '../results/types.ts';
import { FLOOR } from './designs.ts';
import { formatRate } from './format.ts';

const IRQ_LOAD_PREFIX = 'irq-load/';

export const MICRO_OPS = {
  isSignaled: { workload: 'dma_fence_is_signaled', floorMetric: 'atomics-load' },
  signalCycle: { workload: 'signal-cycle', floorMetric: 'atomics-cmpxchg' },
} as const;

export const IRQ_METRICS = {
  fencesPerS: 'fences_per_s',
  pollsPerS: 'polls_per_s',
  p50: 'cb_latency_p50_ns',
  p99: 'cb_latency_p99_ns',
  p999: 'cb_latency_p999_ns',
} as const;

export interface IrqConfig {
  /** The workload name, "irq-load/<config>". */
  workload: string;
  /** Offered interrupts per second. */
  irqRate: number;
  /** The config without its irq rate: what stays fixed along a rate sweep. */
  rest: string;
}

/** Parses "irq-load/irq=50k,pollers=2" into its rate and the remaining settings. */
function parseIrqConfig(workload: string): IrqConfig | undefined {
  if (!workload.startsWith(IRQ_LOAD_PREFIX)) return undefined;
  const parts = workload.slice(IRQ_LOAD_PREFIX.length).split(',');
  let irqRate: number | undefined;
  const rest: string[] = [];
  for (const part of parts) {
    const rate = /^irq=(\d+(?:\.\d+)?)([kM]?)$/.exec(part.trim());
    if (rate) irqRate = Number(rate[1]) * (rate[2] === 'k' ? 1e3 : rate[2] === 'M' ? 1e6 : 1);
    else rest.push(part.trim());
  }
  return irqRate === undefined ? undefined : { workload, irqRate, rest: rest.join(',') };
}

/** Threads a config runs besides the IRQ thread: the sum of its numeric settings. */
function threadCount(config: IrqConfig): number {
  return config.rest.split(',').reduce((sum, part) => sum + (Number(part.split('=')[1]) || 0), 0);
}

export interface BenchFigures {
  rows: BenchRow[];
  /** Value of a design's row (or undefined when missing or failed). */
  value(variant: string, workload: string, metric?: string): number | undefined;
  /** The micro floor loop's value for a metric such as "atomics-load". */
  microFloor(floorMetric: string): number | undefined;
  /** The irq-load floor (variant "floor") of a workload and metric. */
  irqFloor(workload: string, metric: string): number | undefined;
  /** irq-load configs present, by rate ascending. */
  irqConfigs: IrqConfig[];
  /** The heaviest load measured: the highest irq rate, then the most threads. */
  heaviestLoad?: IrqConfig;
  failed: BenchRow[];
}

export function readBenchFigures(bench: BenchResults): BenchFigures {
  const rows = bench.results.filter((row) => !row.error && Number.isFinite(row.value));
  const find = (pred: (row: BenchRow) => boolean) => rows.find(pred)?.value;
  const configs = new Map<string, IrqConfig>();
  for (const row of rows) {
    const config = parseIrqConfig(row.workload);
    if (config) configs.set(config.workload, config);
  }
  const irqConfigs = [...configs.values()].sort((a, b) => a.irqRate - b.irqRate);
  const heavier = (a: IrqConfig, b: IrqConfig) => a.irqRate - b.irqRate || threadCount(a) - threadCount(b);
  return {
    rows,
    value: (variant, workload, metric) =>
      find((r) => r.variant === variant && r.workload === workload && (metric === undefined || r.metric === metric)),
    microFloor: (floorMetric) => find((r) => r.workload === FLOOR && r.metric === floorMetric),
    irqFloor: (workload, metric) => find((r) => r.variant === FLOOR && r.workload === workload && r.metric === metric),
    irqConfigs,
    heaviestLoad: irqConfigs.reduce<IrqConfig | undefined>((best, c) => (!best || heavier(c, best) > 0 ? c : best), undefined),
    failed: bench.results.filter((row) => row.error),
  };
}

/** "200k IRQ/s, pollers=4,waiters=2": a load config as a reader says it. */
export function describeLoad(config: IrqConfig): string {
  const rate = `${formatRate(config.irqRate)} IRQ/s`;
  return config.rest ? `${rate}, ${config.rest}` : rate;
}
