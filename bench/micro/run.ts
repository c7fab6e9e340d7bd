// The micro benchmarks: every operation of MICRO_OPS for every design, each design on a worker
// thread of its own (a fresh isolate), next to the floors (an empty call, bare Atomics loops,
// ktime_get) measured the same way. Rows: workload = the operation, metric "time", unit "ns" per
// call.
//
// Interleaved: the run is cut into rounds; in each round every operation is measured for a short
// slice on every design in turn (the order rotating from round to round), and the floors too. On
// a shared machine whose speed drifts every design then sees the same mix of fast and slow
// moments.
//
// Isolates: the whole interleaved run is repeated in fresh isolates (new worker threads, a new
// pool), and a row's figure is the fastest sample of any isolate
// (src/results/isolates.ts says why). TurboFan compiles on the worker's own thread during the
// micro run (--no-concurrent-recompilation): with background compilation, when optimized code
// lands depends on thread timing, and so does which code gets measured.
//
// A figure well below its floor (the floor's fastest sample, measured again in the design's own
// worker) cannot be a real measurement: the JIT removed work (mitata's dead-code guard, avg <
// 1.42 x an empty call, is the same idea). It is flagged "below-floor" and carries an error.

import { setFlagsFromString } from 'node:v8';
import type { BenchRow } from '../../src/results/types.ts';
import { isolateFigure } from '../../src/results/isolates.ts';
import { NativePool } from '../../src/native/pool.ts';
import { errorRow, makeRow, round4 } from '../../src/native/stats.ts';
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
  log?: (line: string) => void;
}

const WORKER = new URL('./worker.ts', import.meta.url).href;

interface Settings {
  /** mitata min_cpu_time per row, ms, split over the isolates and their rounds */
  rowMs: number;
  /** fresh isolates each design (and the floors) is measured in, one after another */
  isolates: number;
  /** rounds per isolate */
  rounds: number;
  /** min_cpu_time of the floors measured again in each design's worker */
  localMs: number;
  sampleMs: number;
  heapWords: number;
}

function settings(quick: boolean): Settings {
  // short samples: on a busy machine a preemption spoils a few of them and the median holds
  return quick
    ? { rowMs: 60, isolates: 2, rounds: 2, localMs: 20, sampleMs: 1, heapWords: 1 << 18 }
    : { rowMs: 900, isolates: 3, rounds: 5, localMs: 50, sampleMs: 1, heapWords: 1 << 18 };
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
  const sliceMs = Math.max(1, Math.round(s.rowMs / (s.isolates * s.rounds)));
  const timeoutMs = 30_000 + 20 * sliceMs;
  const designNames = ops.length === 0 ? [] : opts.variants.map((v) => v.name);

  /** samples per (server, op), one array per isolate */
  const samples = new Map<string, number[][]>();
  const errors = new Map<string, string>();
  const key = (server: string, op: string) => `${server}\u0000${op}`;
  const take = async (server: Server, isolate: number, op: string, ms: number) => {
    const k = key(server.name, op);
    if (errors.has(k)) return;
    try {
      const r = await server.slice(op, ms, timeoutMs);
      if (r.error) errors.set(k, r.error);
      else {
        const perIsolate = samples.get(k) ?? Array.from({ length: s.isolates }, () => []);
        perIsolate[isolate]!.push(...r.samples);
        samples.set(k, perIsolate);
      }
    } catch (err) {
      errors.set(k, (err as Error).message);
    }
  };

  setFlagsFromString('--no-concurrent-recompilation');
  try {
    for (let isolate = 0; isolate < s.isolates; isolate++) {
      // a pool per isolate: its workers are new threads, so nothing JIT-compiled carries over
      const pool = new NativePool();
      const floor = new Server(FLOOR_VARIANT, [...FLOOR_METRICS], null, s, pool);
      const designs = opts.variants.slice(0, designNames.length).map((v) => new Server(v.name, [...LOCAL_FLOORS.map((f) => `local:${f}`), ...ops], v.file, s, pool));
      try {
        for (const d of designs) for (const f of LOCAL_FLOORS) await take(d, isolate, `local:${f}`, s.localMs);
        for (let round = 0; round < s.rounds; round++) {
          log(`micro: isolate ${isolate + 1}/${s.isolates}, round ${round + 1}/${s.rounds}`);
          for (const m of FLOOR_METRICS) await take(floor, isolate, m, sliceMs);
          for (const op of ops) {
            for (let i = 0; i < designs.length; i++) await take(designs[(i + round + isolate) % designs.length]!, isolate, op, sliceMs);
          }
        }
      } finally {
        await Promise.all([floor, ...designs].map((d) => d.quit()));
        await pool.close();
      }
    }
  } finally {
    setFlagsFromString('--concurrent-recompilation');
  }

  const rows: BenchRow[] = [];
  const measured = (server: string, op: string) => {
    const groups = samples.get(key(server, op));
    return groups && !errors.has(key(server, op)) && groups.every((g) => g.length > 0) ? groups : undefined;
  };
  const rowOf = (variant: string, workload: string, metric: string, groups: number[][], extra: { flags?: string[]; error?: string } = {}) => {
    // the figure from the samples as stored (rounded), so it can be recomputed from the file
    const stored = groups.map((g) => g.map(round4));
    return makeRow({ variant, workload, metric, unit: 'ns', samples: stored.flat(), isolates: stored.map((g) => g.length), value: isolateFigure(stored), ...extra });
  };
  const floors = new Map<string, number>();
  for (const m of FLOOR_METRICS) {
    const groups = measured(FLOOR_VARIANT, m);
    if (!groups) {
      rows.push(errorRow(FLOOR_VARIANT, 'floor', m, 'ns', errors.get(key(FLOOR_VARIANT, m)) ?? 'no samples'));
      continue;
    }
    floors.set(m, Math.min(...groups.flat()));
    rows.push(rowOf(FLOOR_VARIANT, 'floor', m, groups));
  }
  for (const name of designNames) {
    // the fastest the floor was ever seen, here or in the floor worker's rounds: a floor taken in
    // a slow moment would flag an honest figure taken in a fast one
    const local = (f: string) => {
      const xs = samples.get(key(name, `local:${f}`))?.flat() ?? [];
      const best = Math.min(...xs, floors.get(f) ?? Infinity);
      return Number.isFinite(best) ? best : undefined;
    };
    for (const opName of ops) {
      const k = key(name, opName);
      const groups = measured(name, opName);
      if (!groups) {
        rows.push(errorRow(name, opName, 'time', 'ns', errors.get(k) ?? 'no samples'));
        continue;
      }
      const op = MICRO_OPS.find((o) => o.name === opName)!;
      const value = isolateFigure(groups);
      const fl = local(op.floor);
      const noop = local('noop');
      const all = groups.flat();
      const avg = all.reduce((a, x) => a + x, 0) / all.length;
      const below = (fl !== undefined && value < FLOOR_TOLERANCE * fl) || (noop !== undefined && avg < DCE_FACTOR * noop);
      rows.push(
        rowOf(
          name,
          opName,
          'time',
          groups,
          below
            ? {
                flags: ['below-floor'],
                error: `${value.toFixed(2)} ns is below its floor (${op.floor} at best ${fl?.toFixed(2)} ns, empty call ${noop?.toFixed(2)} ns): the JIT likely removed the work; not reported`,
              }
            : {},
        ),
      );
    }
  }
  return rows;
}
