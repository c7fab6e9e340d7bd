// The figures a report quotes from bench results (`fence-lab bench --json`), and the naming
// they rely on (bench/micro/ops.ts, bench/irq-load/config.ts, src/native/bench.ts):
//  - micro rows: `workload` is the operation (`is_signaled-signaled`, `signal-cycle`, ...),
//    `metric` "time", `unit` "ns", `value` ns per call (the fastest sample over fresh isolates,
//    src/results/isolates.ts);
//  - micro floor rows: `variant` and `workload` "floor", `metric` the bare loop (`noop`,
//    `atomics-load` next to reads, `atomics-cmpxchg` next to paths that lock or allocate, ...);
//  - irq-load rows: `workload` "irq-load/irq=<n>[k|M]|max,ctx=..,fpc=..,pollers=..,waiters=..,
//    cbs=..", metrics fences_per_s, polls_per_s, waits_per_s, callbacks_per_s,
//    cb_latency_{p50,p99,p999}_ns, wake_latency_{p50,p99,p999}_ns, lock_spin_ns_per_s, ...;
//    the floor of a load is the `variant: "floor"` row of the same workload and metric (the
//    lock-free floor design, bench/irq-load/floor-design.ts).
// Rows carrying `error` are left out of every figure (the text lists them).
import { BASE_CONFIG, threadsOf } from '../../bench/irq-load/config.ts';
import { MICRO_OPS as BENCH_MICRO_OPS } from '../../bench/micro/ops.ts';
import type { BenchRow, BenchResults } from '../results/types.ts';
import { FLOOR } from './designs.ts';
import { formatRate } from './format.ts';

const IRQ_LOAD_PREFIX = 'irq-load/';

export interface MicroOpInfo {
  workload: string;
  /** The floor row it is read against. */
  floorMetric: 'atomics-load' | 'atomics-cmpxchg';
  /** Short, for table rows. */
  label: string;
}

/** The micro operations, in bench/micro/ops.ts order, with the floor each is read against. */
export const MICRO_OP_LIST: readonly MicroOpInfo[] = BENCH_MICRO_OPS.map((op) => ({ workload: op.name, floorMetric: op.floor, label: op.label }));

const microOp = (workload: string) => MICRO_OP_LIST.find((op) => op.workload === workload)!;

/** The two micro figures of the cost table. */
export const MICRO_OPS = {
  isSignaled: microOp('is_signaled-signaled'),
  signalCycle: microOp('signal-cycle'),
} as const;

/** The micro floor metric of the empty call (mitata's dead-code reference). */
export const NOOP_FLOOR = 'noop';

export const IRQ_METRICS = {
  fencesPerS: 'fences_per_s',
  pollsPerS: 'polls_per_s',
  p50: 'cb_latency_p50_ns',
  p99: 'cb_latency_p99_ns',
  p999: 'cb_latency_p999_ns',
  wakeP50: 'wake_latency_p50_ns',
  wakeP99: 'wake_latency_p99_ns',
  wakeP999: 'wake_latency_p999_ns',
} as const;

export interface IrqConfig {
  /** The workload name, "irq-load/<config>". */
  workload: string;
  /** Offered interrupts per second per context; Infinity for irq=max (unthrottled). */
  irqRate: number;
  /** The rate as written in the name: "50k", "max". */
  rateLabel: string;
  /** The config without its irq rate: what stays fixed along a rate sweep. */
  rest: string;
  /** Every other key=value of the name (ctx, fpc, pollers, waiters, cbs). */
  settings: Record<string, number>;
  /** Worker threads the run had (bench/irq-load/config.ts threadsOf). */
  threads: number;
}

/** The settings a name may leave out take bench/irq-load/config.ts's BASE_CONFIG values. */
const SETTING_DEFAULTS: Record<string, number> = Object.fromEntries(Object.entries(BASE_CONFIG).filter(([k]) => k !== 'irq'));

function parseCount(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kM]?)$/.exec(raw);
  return m ? Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1) : undefined;
}

/**
 * Parses "irq-load/irq=50k,ctx=1,fpc=8,pollers=2,waiters=1,cbs=1" (or irq=max). Unlike
 * config.ts's parseConfig it never throws: a name it cannot read (newer results) is
 * left out of the load figures rather than failing the report.
 */
export function parseIrqConfig(workload: string): IrqConfig | undefined {
  if (!workload.startsWith(IRQ_LOAD_PREFIX)) return undefined;
  let irqRate: number | undefined;
  let rateLabel = '';
  const rest: string[] = [];
  const settings: Record<string, number> = {};
  for (const part of workload.slice(IRQ_LOAD_PREFIX.length).split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, raw] = part.split('=').map((s) => s.trim());
    if (!key || raw === undefined) return undefined;
    if (key === 'irq') {
      irqRate = raw === 'max' ? Infinity : parseCount(raw);
      rateLabel = raw;
      continue;
    }
    const n = parseCount(raw);
    if (n === undefined) return undefined;
    settings[key] = n;
    rest.push(part);
  }
  if (irqRate === undefined) return undefined;
  const threads = threadsOf({ ...BASE_CONFIG, ...settings });
  return { workload, irqRate, rateLabel, rest: rest.join(','), settings, threads };
}

/** Rate ascending (irq=max last), then fewer threads first, then by name. */
export function compareConfigs(a: IrqConfig, b: IrqConfig): number {
  if (a.irqRate !== b.irqRate) return a.irqRate < b.irqRate ? -1 : 1;
  return a.threads - b.threads || (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0);
}

export interface BenchFigures {
  rows: BenchRow[];
  /** A design's row, or undefined when missing or failed. */
  row(variant: string, workload: string, metric?: string): BenchRow | undefined;
  /** Value of a design's row (or undefined when missing or failed). */
  value(variant: string, workload: string, metric?: string): number | undefined;
  /** The micro floor loop's value for a metric such as "atomics-load". */
  microFloor(floorMetric: string): number | undefined;
  /** The irq-load floor (variant "floor") of a workload and metric. */
  irqFloor(workload: string, metric: string): number | undefined;
  /** irq-load configs present: rate ascending (irq=max last), then fewer threads. */
  irqConfigs: IrqConfig[];
  /** The heaviest load measured: unthrottled or the highest rate, then the most threads. */
  heaviestLoad?: IrqConfig;
  /** Micro operations measured for at least one design, in MICRO_OP_LIST order. */
  microOps: MicroOpInfo[];
  failed: BenchRow[];
  /** Cores of the machine the bench ran on. */
  cores: number;
}

export function readBenchFigures(bench: BenchResults): BenchFigures {
  const rows = bench.results.filter((row) => !row.error && Number.isFinite(row.value));
  const findRow = (pred: (row: BenchRow) => boolean) => rows.find(pred);
  const configs = new Map<string, IrqConfig>();
  for (const row of rows) {
    if (configs.has(row.workload)) continue;
    const config = parseIrqConfig(row.workload);
    if (config) configs.set(config.workload, config);
  }
  const irqConfigs = [...configs.values()].sort(compareConfigs);
  const row = (variant: string, workload: string, metric?: string) =>
    findRow((r) => r.variant === variant && r.workload === workload && (metric === undefined || r.metric === metric));
  return {
    rows,
    row,
    value: (variant, workload, metric) => row(variant, workload, metric)?.value,
    microFloor: (floorMetric) => findRow((r) => r.workload === FLOOR && r.metric === floorMetric)?.value,
    irqFloor: (workload, metric) => row(FLOOR, workload, metric)?.value,
    irqConfigs,
    heaviestLoad: irqConfigs[irqConfigs.length - 1],
    microOps: MICRO_OP_LIST.filter((op) => rows.some((r) => r.workload === op.workload && r.variant !== FLOOR)),
    failed: bench.results.filter((r) => r.error),
    cores: bench.context.cores,
  };
}

/** "irq=max (unthrottled)", "200k IRQ/s": the offered rate as a reader says it. */
export function describeRate(config: IrqConfig): string {
  return config.irqRate === Infinity ? 'unthrottled IRQs (irq=max)' : `${formatRate(config.irqRate)} IRQ/s`;
}

/** "unthrottled IRQs (irq=max), ctx=1,fpc=8,pollers=2,waiters=1,cbs=1: 6 threads". */
export function describeLoad(config: IrqConfig): string {
  const rate = describeRate(config);
  const threads = `${config.threads} thread${config.threads === 1 ? '' : 's'}`;
  return config.rest ? `${rate}, ${config.rest}: ${threads}` : `${rate}: ${threads}`;
}

/**
 * The shortest name that tells a config apart from the others present: the key=value pairs
 * whose values differ between configs ("irq=50k", "irq=max", "irq=100k,pollers=4"), the
 * rate always first; the rate alone when there is one config.
 */
export function shortLoadName(config: IrqConfig, all: IrqConfig[]): string {
  const keys = [...new Set(all.flatMap((c) => Object.keys(c.settings)))];
  const differing = keys.filter((k) => new Set(all.map((c) => c.settings[k] ?? SETTING_DEFAULTS[k])).size > 1);
  return [`irq=${config.rateLabel}`, ...differing.map((k) => `${k}=${config.settings[k] ?? SETTING_DEFAULTS[k]}`)].join(',');
}
