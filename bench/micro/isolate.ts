// One isolate of the micro benchmarks, run in a process of its own (bench/micro/isolate-process.js
// starts it; run.ts starts one per isolate): the floors and every design on worker threads, the
// whole run cut into interleaved rounds (run.ts says why). A process per isolate, not a worker
// thread: with isolates as threads of one process, something fixed for the process's lifetime
// moved every design's figure by a few cycles at once in 2 of 11 runs (not pinned down; without
// ASLR the steps looked the same), the kind of bias Mytkowicz et al. describe ("Producing wrong
// data without doing anything obviously wrong!", ASPLOS 2009). As processes it is one isolate's
// luck, which the figure (the fastest over isolates) and compare's bootstrap over isolates absorb.

import { NativePool } from '../../src/native/pool.ts';
import type { VariantRef } from '../../src/native/variants.ts';
import { FLOOR_METRICS } from './ops.ts';
import { CTRL_MS, CTRL_OP, CTRL_SEQ, type MicroServerData, type SliceResult } from './worker.ts';

export const FLOOR_VARIANT = 'floor';
/** floors measured again in each design's worker (the below-floor guard reads them) */
const LOCAL_FLOORS = ['noop', 'atomics-load', 'atomics-cmpxchg'];

const WORKER = new URL('./worker.ts', import.meta.url).href;

export interface Settings {
  /** mitata min_cpu_time per row, ms, split over the isolates and their rounds */
  rowMs: number;
  /** isolates (processes) every operation is measured in, one after another */
  isolates: number;
  /**
   * isolates an operation may get in all: one whose fastest isolate has not been matched by
   * another (src/results/isolates.ts `settled`) is measured again in a further isolate
   */
  maxIsolates: number;
  /** rounds per isolate (per operation when `workerPerOp`) */
  rounds: number;
  /**
   * Fresh design workers for each operation: an operation then runs in isolates that ran no other
   * operation, so the type feedback V8 gathered for shared code (dma_fence_is_signaled called from
   * wait, get_status, ...) cannot make another operation's code slower. With all operations in one
   * worker, is_signaled-unsignaled came out at 20.9 or 24.4 ns from run to run; alone, at 20.9.
   */
  workerPerOp: boolean;
  /** min_cpu_time of the floors measured again in each design's worker */
  localMs: number;
  sampleMs: number;
  heapWords: number;
}

export function settings(quick: boolean): Settings {
  // short samples: on a busy machine a preemption spoils a few of them, not the fastest
  return quick
    ? { rowMs: 90, isolates: 3, maxIsolates: 3, rounds: 2, workerPerOp: false, localMs: 20, sampleMs: 1, heapWords: 1 << 18 }
    : { rowMs: 900, isolates: 3, maxIsolates: 10, rounds: 5, workerPerOp: true, localMs: 20, sampleMs: 1, heapWords: 1 << 18 };
}

/** What one isolate measured: samples and errors by `sampleKey(server, op)`. */
export interface IsolatePart {
  samples: Record<string, number[]>;
  errors: Record<string, string>;
  /** the process's peak resident set, KiB */
  maxRssKb: number;
}

export interface IsolateSpec {
  variants: VariantRef[];
  ops: string[];
  quick: boolean;
  /** 0-based, rotates the order designs are measured in */
  index: number;
}

export const sampleKey = (server: string, op: string) => `${server}\u0000${op}`;

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

export async function measureIsolate(spec: IsolateSpec, log: (line: string) => void): Promise<IsolatePart> {
  const s = settings(spec.quick);
  const sliceMs = Math.max(1, Math.round(s.rowMs / (s.isolates * s.rounds)));
  const timeoutMs = 30_000 + 20 * sliceMs;
  const part: IsolatePart = { samples: {}, errors: {}, maxRssKb: 0 };
  const take = async (server: Server, op: string, ms: number) => {
    const k = sampleKey(server.name, op);
    if (k in part.errors) return;
    try {
      const r = await server.slice(op, ms, timeoutMs);
      if (r.error) part.errors[k] = r.error;
      else (part.samples[k] ??= []).push(...r.samples);
    } catch (err) {
      part.errors[k] = (err as Error).message;
    }
  };
  // the operations each set of design workers measures
  const groups = s.workerPerOp ? spec.ops.map((op) => [op]) : [spec.ops];
  // the floors get one slice per round of every group, as long in all as one group's
  const floorMs = Math.max(5, Math.round(sliceMs / Math.max(1, groups.length)));
  const floorPool = new NativePool();
  const floor = new Server(FLOOR_VARIANT, [...FLOOR_METRICS], null, s, floorPool);
  try {
    for (const [g, ops] of groups.entries()) {
      // a pool per group: its workers are new threads, so no JIT state carries over
      const pool = new NativePool();
      const designs = ops.length === 0 ? [] : spec.variants.map((v) => new Server(v.name, [...LOCAL_FLOORS.map((f) => `local:${f}`), ...ops], v.file, s, pool));
      try {
        for (const d of designs) for (const f of LOCAL_FLOORS) await take(d, `local:${f}`, s.localMs);
        for (let round = 0; round < s.rounds; round++) {
          log(`micro: isolate ${spec.index + 1}${spec.index < s.isolates ? `/${s.isolates}` : ' (again)'}${groups.length > 1 ? `, ${ops.join(' ')}` : ''}, round ${round + 1}/${s.rounds}`);
          for (const m of FLOOR_METRICS) await take(floor, m, floorMs);
          for (const op of ops) {
            for (let i = 0; i < designs.length; i++) await take(designs[(i + round + g + spec.index) % designs.length]!, op, sliceMs);
          }
        }
      } finally {
        await Promise.all(designs.map((d) => d.quit()));
        await pool.close();
      }
    }
  } finally {
    await floor.quit();
    await floorPool.close();
  }
  part.maxRssKb = process.resourceUsage().maxRSS;
  return part;
}
