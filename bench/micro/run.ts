// The micro benchmarks: every operation of MICRO_OPS for every design, each design on a worker
// thread of its own (a fresh isolate), next to the floors (an empty call, bare Atomics loops,
// ktime_get) measured the same way. Rows: workload = the operation, metric "time", unit "ns" per
// call, value the median of mitata's samples.
//
// Interleaved: the run is cut into rounds; in each round every operation is measured for a short
// slice on every design in turn (the order rotating from round to round), and the floors too. A
// row's samples are its slices' samples. On a shared machine whose speed drifts (other jobs, a
// busy SMT sibling on the host) every design then sees the same mix of fast and slow moments, so
// figures compare across designs within a run even when they move between runs.
//
// A figure well below its floor (the floor's fastest sample, measured again in the design's own
// worker) cannot be a real measurement: the JIT removed work (mitata's dead-code guard, avg <
// 1.42 x an empty call, is the same idea). It is flagged "below-floor" and carries an error.

import type { BenchRow } from '../../src/results/types.ts';
import type { NativePool } from '../../src/native/pool.ts';
import { errorRow, makeRow, quantile } from '../../src/native/stats.ts';
import type { VariantRef } from '../../src/native/variants.ts';
import { FLOOR_METRICS, MICRO_OPS } from './ops.ts';
import { CTRL_MS, CTRL_OP, CTRL_SEQ, type MicroServerData, type SliceResult } from './worker.ts';

export const FLOOR_VARIANT = 'floor';
/** mitata's dead-code rule: an average under 1.42 x the empty call's */
const DCE_FACTOR = 1.42;
/**
 * A figure this far under its floor cannot have done the floor's work (an operation that reads
 * the SIGNALED bit does at least one Atomics.load); closer than that is measurement noise, as an
 * operation that is one Atomics.load is its floor.
 */
const FLOOR_TOLERANCE = 0.75;
const LOCAL_FLOORS = ['noop', 'atomics-load', 'atomics-cmpxchg'];

export interface MicroOptions {
  variants: VariantRef[];
  /** operation names (default: all) */
  ops?: string[];
  quick: boolean;
  pool: NativePool;
  log?: (line: string) => void;
}

const WORKER = new URL('./worker.ts', import.meta.url).href;

interface Settings {
  /** mitata min_cpu_time per row, ms, split over the rounds */
  rowMs: number;
  rounds: number;
  /** min_cpu_time of the floors measured again in each design's worker */
  localMs: number;
  sampleMs: number;
  heapWords: number;
}

function settings(quick: boolean): Settings {
  // short samples: on a busy machine a preemption spoils a few of them and the median holds
  return quick ? { rowMs: 60, rounds: 3, localMs: 20, sampleMs: 1, heapWords: 1 << 18 } : { rowMs: 642, rounds: 8, localMs: 50, sampleMs: 1, heapWords: 1 << 18 };
}

function median(samples: readonly number[]): number {
  return quantile([...samples].sort((a, b) => a - b), 0.5);
}

/** A design's server: send it an operation, get the slice's samples back. */
class Server {
  private readonly ctrl: Int32Array;
  private seq = 0;
  private waiting: { seq: number; resolve(r: SliceResult): void; reject(e: Error): void } | null = null;
  private readonly handle: { result: Promise<string>; terminate(): Promise<void> };
  dead: string | undefined;

  constructor(
    readonly name: string,
    readonly ops: string[],
    variantFile: string | null,
    s: Settings,
    pool: NativePool,
  ) {
    const sab = new SharedArrayBuffer(16);
    this.ctrl = new Int32Array(sab);
    this.handle = pool.start<string>({
      module: WORKER,
      export: 'microServer',
      data: { variantFile, ops, sampleMs: s.sampleMs, heapWords: s.heapWords, ctrl: sab } satisfies MicroServerData,
      onProgress: (r) => {
        const res = r as SliceResult;
        if (this.waiting && this.waiting.seq === res.seq) {
          const w = this.waiting;
          this.waiting = null;
          w.resolve(res);
        }
      },
    });
    this.handle.result.then(
      () => this.fail('the worker ended early'),
      (err: Error) => this.fail(`worker failed: ${err.message}`),
    );
  }

  private fail(why: string): void {
    this.dead ??= why;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(new Error(why));
  }

  /** Measures `op` for a slice of `ms` (mitata's min_cpu_time); rejects past `timeoutMs`. */
  async slice(op: string, ms: number, timeoutMs: number): Promise<SliceResult> {
    if (this.dead) throw new Error(this.dead);
    const seq = ++this.seq;
    const result = new Promise<SliceResult>((resolve, reject) => (this.waiting = { seq, resolve, reject }));
    Atomics.store(this.ctrl, CTRL_OP, this.ops.indexOf(op));
    Atomics.store(this.ctrl, CTRL_MS, ms);
    Atomics.store(this.ctrl, CTRL_SEQ, seq);
    Atomics.notify(this.ctrl, CTRL_SEQ);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const r = await Promise.race([result, timeout]);
      if (r !== 'timeout') return r;
      result.catch(() => undefined);
      this.dead = `${op} did not finish within ${timeoutMs / 1000} s (an operation that deadlocks or never returns?); its worker was terminated`;
      await this.handle.terminate();
      throw new Error(this.dead);
    } finally {
      clearTimeout(timer);
    }
  }

  async quit(): Promise<void> {
    if (this.dead) return;
    Atomics.store(this.ctrl, CTRL_OP, -1);
    Atomics.store(this.ctrl, CTRL_SEQ, ++this.seq);
    Atomics.notify(this.ctrl, CTRL_SEQ);
    await this.handle.result.catch(() => undefined);
  }
}

export async function runMicro(opts: MicroOptions): Promise<BenchRow[]> {
  const log = opts.log ?? (() => undefined);
  const ops = opts.ops ?? MICRO_OPS.map((o) => o.name);
  for (const op of ops) if (!MICRO_OPS.some((o) => o.name === op)) throw new Error(`unknown micro operation '${op}'; known: ${MICRO_OPS.map((o) => o.name).join(', ')}`);
  const s = settings(opts.quick);
  const sliceMs = Math.max(1, Math.round(s.rowMs / s.rounds));
  const timeoutMs = 30_000 + 20 * sliceMs;

  const floor = new Server(FLOOR_VARIANT, [...FLOOR_METRICS], null, s, opts.pool);
  const designs = ops.length === 0 ? [] : opts.variants.map((v) => new Server(v.name, [...LOCAL_FLOORS.map((f) => `local:${f}`), ...ops], v.file, s, opts.pool));
  const samples = new Map<string, number[]>();
  const errors = new Map<string, string>();
  const key = (server: string, op: string) => `${server}\u0000${op}`;
  const take = async (server: Server, op: string, ms: number) => {
    const k = key(server.name, op);
    if (errors.has(k)) return;
    try {
      const r = await server.slice(op, ms, timeoutMs);
      if (r.error) errors.set(k, r.error);
      else samples.set(k, [...(samples.get(k) ?? []), ...r.samples]);
    } catch (err) {
      errors.set(k, (err as Error).message);
    }
  };

  try {
    for (const d of designs) for (const f of LOCAL_FLOORS) await take(d, `local:${f}`, s.localMs);
    for (let round = 0; round < s.rounds; round++) {
      log(`micro: round ${round + 1}/${s.rounds}`);
      for (const m of FLOOR_METRICS) await take(floor, m, sliceMs);
      for (const op of ops) {
        for (let i = 0; i < designs.length; i++) await take(designs[(i + round) % designs.length]!, op, sliceMs);
      }
    }
  } finally {
    await Promise.all([floor, ...designs].map((d) => d.quit()));
  }

  const rows: BenchRow[] = [];
  const floors = new Map<string, number>();
  for (const m of FLOOR_METRICS) {
    const k = key(FLOOR_VARIANT, m);
    const xs = samples.get(k);
    if (!xs || errors.has(k)) {
      rows.push(errorRow(FLOOR_VARIANT, 'floor', m, 'ns', errors.get(k) ?? 'no samples'));
      continue;
    }
    floors.set(m, Math.min(...xs));
    rows.push(makeRow({ variant: FLOOR_VARIANT, workload: 'floor', metric: m, unit: 'ns', samples: xs }));
  }
  for (const d of designs) {
    // the fastest the floor was ever seen, here or in the floor worker's rounds: a floor taken in
    // a slow moment would flag an honest figure taken in a fast one
    const local = (f: string) => {
      const xs = samples.get(key(d.name, `local:${f}`)) ?? [];
      const best = Math.min(...xs, floors.get(f) ?? Infinity);
      return Number.isFinite(best) ? best : undefined;
    };
    for (const opName of ops) {
      const k = key(d.name, opName);
      const xs = samples.get(k);
      if (!xs || errors.has(k)) {
        rows.push(errorRow(d.name, opName, 'time', 'ns', errors.get(k) ?? 'no samples'));
        continue;
      }
      const op = MICRO_OPS.find((o) => o.name === opName)!;
      const value = median(xs);
      const fl = local(op.floor);
      const noop = local('noop');
      const avg = xs.reduce((a, x) => a + x, 0) / xs.length;
      const below = (fl !== undefined && value < FLOOR_TOLERANCE * fl) || (noop !== undefined && avg < DCE_FACTOR * noop);
      rows.push(
        makeRow({
          variant: d.name,
          workload: opName,
          metric: 'time',
          unit: 'ns',
          samples: xs,
          ...(below
            ? {
                flags: ['below-floor'],
                error: `${value.toFixed(2)} ns is below its floor (${op.floor} at best ${fl?.toFixed(2)} ns, empty call ${noop?.toFixed(2)} ns): the JIT likely removed the work; not reported`,
              }
            : {}),
        }),
      );
    }
  }
  return rows;
}
