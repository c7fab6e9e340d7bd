// The micro benchmarks: every operation of MICRO_OPS for every design, one design per worker
// thread (a fresh isolate each, run one after another so nothing else competes for the CPU), and
// the floors (an empty call, a bare Atomics.load, a bare Atomics.compareExchange) measured the same
// way. Rows: workload = the operation, metric "time", unit "ns" per call, value the median of
// mitata's samples. A figure well below its floor (the floor's fastest sample, measured again in
// the design's own worker)
// cannot be a real measurement (the JIT removed work; mitata's dead-code guard, avg < 1.42 x an
// empty call, is the same idea): it is flagged "below-floor" and carries an error instead.

import type { BenchRow } from '../../src/results/types.ts';
import type { NativePool } from '../../src/native/pool.ts';
import { errorRow, makeRow, quantile } from '../../src/native/stats.ts';
import type { VariantRef } from '../../src/native/variants.ts';
import { FLOOR_METRICS, MICRO_OPS } from './ops.ts';
import type { MicroJobData, MicroMeasurement } from './worker.ts';

export const FLOOR_VARIANT = 'floor';
/** mitata's dead-code rule: an average under 1.42 x the empty call's */
const DCE_FACTOR = 1.42;
/**
 * A figure this far under its floor cannot have done the floor's work (an operation that reads
 * the SIGNALED bit does at least one Atomics.load); closer than that is measurement noise, as an
 * operation that is one Atomics.load is its floor.
 */
const FLOOR_TOLERANCE = 0.75;

export interface MicroOptions {
  variants: VariantRef[];
  /** operation names (default: all) */
  ops?: string[];
  quick: boolean;
  pool: NativePool;
  log?: (line: string) => void;
}

const WORKER = new URL('./worker.ts', import.meta.url).href;

function settings(quick: boolean): Pick<MicroJobData, 'minCpuMs' | 'sampleMs' | 'heapWords'> {
  // short samples: on a busy machine a preemption spoils a few of them and the median holds
  return quick ? { minCpuMs: 80, sampleMs: 1, heapWords: 1 << 20 } : { minCpuMs: 642, sampleMs: 1, heapWords: 1 << 20 };
}

/** A design's job gets this long (an operation that deadlocks or loops must not hang the run). */
function jobTimeoutMs(quick: boolean, ops: number): number {
  return 30_000 + ops * (quick ? 5_000 : 20_000);
}

async function withTimeout<T>(job: Promise<T>, ms: number, pool: NativePool): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    const r = await Promise.race([job, timeout]);
    if (r !== 'timeout') return r;
    job.catch(() => undefined);
    await pool.terminateBusy();
    throw new Error(`did not finish within ${ms / 1000} s (an operation that deadlocks or never returns?); terminated`);
  } finally {
    clearTimeout(timer);
  }
}

function median(samples: readonly number[]): number {
  return quantile([...samples].sort((a, b) => a - b), 0.5);
}

export async function runMicro(opts: MicroOptions): Promise<BenchRow[]> {
  const log = opts.log ?? (() => undefined);
  const ops = opts.ops ?? MICRO_OPS.map((o) => o.name);
  for (const op of ops) if (!MICRO_OPS.some((o) => o.name === op)) throw new Error(`unknown micro operation '${op}'; known: ${MICRO_OPS.map((o) => o.name).join(', ')}`);
  const base = settings(opts.quick);
  const rows: BenchRow[] = [];

  log(`micro: floors`);
  const floors = new Map<string, number>();
  let floorRun: MicroMeasurement[];
  try {
    floorRun = await opts.pool.run<MicroMeasurement[]>({ module: WORKER, export: 'microJob', data: { ...base, variantFile: null, ops: [...FLOOR_METRICS] } satisfies MicroJobData });
  } catch (err) {
    floorRun = FLOOR_METRICS.map((op) => ({ op, samples: [], batch: 0, error: (err as Error).message }));
  }
  for (const m of floorRun) {
    if (m.error) {
      rows.push(errorRow(FLOOR_VARIANT, 'floor', m.op, 'ns', m.error));
      continue;
    }
    floors.set(m.op, Math.min(...m.samples));
    rows.push(makeRow({ variant: FLOOR_VARIANT, workload: 'floor', metric: m.op, unit: 'ns', samples: m.samples }));
  }

  for (const v of opts.variants) {
    log(`micro: ${v.name}`);
    let run: MicroMeasurement[];
    try {
      const job = opts.pool.run<MicroMeasurement[]>({ module: WORKER, export: 'microJob', data: { ...base, variantFile: v.file, ops } satisfies MicroJobData });
      run = await withTimeout(job, jobTimeoutMs(opts.quick, ops.length), opts.pool);
    } catch (err) {
      run = ops.map((op) => ({ op, samples: [], batch: 0, error: `worker failed: ${(err as Error).message}` }));
    }
    // the fastest floor sample: on a shared machine whose speed drifts, a median floor taken in
    // a slow moment would flag an honest figure taken in a fast one
    const local = new Map(run.filter((m) => m.op.startsWith('local:') && !m.error).map((m) => [m.op.slice(6), Math.min(...m.samples)]));
    for (const m of run) {
      if (m.op.startsWith('local:')) continue;
      if (m.error) {
        rows.push(errorRow(v.name, m.op, 'time', 'ns', m.error));
        continue;
      }
      const op = MICRO_OPS.find((o) => o.name === m.op)!;
      const value = median(m.samples);
      const floor = local.get(op.floor) ?? floors.get(op.floor);
      const noop = local.get('noop') ?? floors.get('noop');
      const avg = m.samples.reduce((a, x) => a + x, 0) / m.samples.length;
      const below = (floor !== undefined && value < FLOOR_TOLERANCE * floor) || (noop !== undefined && avg < DCE_FACTOR * noop);
      rows.push(
        makeRow({
          variant: v.name,
          workload: m.op,
          metric: 'time',
          unit: 'ns',
          samples: m.samples,
          ...(below
            ? {
                flags: ['below-floor'],
                error: `${value.toFixed(2)} ns is below its floor (${op.floor} at best ${floor?.toFixed(2)} ns, empty call ${noop?.toFixed(2)} ns, measured in the same worker): the JIT likely removed the work; not reported`,
              }
            : {}),
        }),
      );
    }
  }
  return rows;
}
