// A micro-benchmark server: one per design (and one for the floors), each on a worker thread of
// its own, so every design gets a fresh V8 isolate: call sites inside the shared kernel code
// (primitives, list helpers) only ever see one design class and the NativeCpu, and what the JIT
// did for one design cannot change the next. The runner (run.ts) keeps every server alive and
// hands out short slices in rounds (operation by operation, designs in turn), so a machine whose
// speed drifts during the run slows every design alike instead of whichever ran at the time.
//
// Commands come through a small shared control block; each slice's samples go back as a
// progress message. Only one server measures at a time; the others sleep in Atomics.wait.

import { measure } from 'mitata';
import { NativeCpu } from '../../src/native/cpu.ts';
import { NativeHeap } from '../../src/native/heap.ts';
import { NativeRegistry } from '../../src/native/registry.ts';
import { loadVariantClass } from '../../src/native/variants.ts';
import { kzalloc } from '../../src/kernel/primitives.ts';
import type { Fences } from '../../src/scenario.ts';
import { floorBody, opBody } from './ops.ts';
import { buildWorld } from './world.ts';

export interface MicroServerData {
  /** null: a server for the floors */
  variantFile: string | null;
  /** what it can measure: operation names, floor metrics, "local:<floor metric>" */
  ops: string[];
  /** time one sample (one batch of calls) should take, ms */
  sampleMs: number;
  heapWords: number;
  /** control block: CTRL_SEQ, CTRL_OP, CTRL_MS (Int32) */
  ctrl: SharedArrayBuffer;
}

export const CTRL_SEQ = 0;
/** index into `ops`, or -1: quit */
export const CTRL_OP = 1;
/** the slice's mitata min_cpu_time, ms */
export const CTRL_MS = 2;

export interface SliceResult {
  seq: number;
  op: string;
  /** ns per call, one per batch (mitata trims 2 + 2 outliers per slice) */
  samples: number[];
  error?: string;
}

const now = () => performance.now() * 1e6;

/**
 * Calls per sample so that a sample takes about `sampleNs` (a multiple of the loop's unroll, 4):
 * the fastest of several short windows after a warm-up, so a preemption during calibration
 * does not shrink every later sample.
 */
function calibrate(fn: () => unknown, sampleNs: number): number {
  const window = (ms: number): number => {
    let calls = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < ms * 1e6) {
      for (let i = 0; i < 256; i++) fn();
      calls += 256;
      t = now();
    }
    return (t - t0) / calls;
  };
  window(10);
  let perCall = Infinity;
  for (let i = 0; i < 5; i++) perCall = Math.min(perCall, window(2));
  return Math.min(1 << 24, Math.max(4, Math.round(sampleNs / perCall / 4) * 4));
}

/** Short calls of a new loop before it is measured: enough for V8 to optimize it as a whole. */
const LOOP_WARMUP_CALLS = 2000;

/**
 * A function making `calls` calls of `fn`, which mitata then times one call per sample. Left to
 * mitata's own batching, the loop mitata generates shares its source, and so (through V8's
 * compilation cache) its compiled code and call-site feedback, with every other measurement in
 * the isolate; it was compiled on stack replacement mid-slice, deoptimized and recompiled from
 * slice to slice, and is_signaled on a signaled fence came out at 9.68, 10.76 or 11.17 ns
 * depending on which code a slice happened to run. Here every operation gets a loop compiled
 * from source of its own (its own feedback and code), warmed up by many short calls so that V8
 * optimizes the whole function rather than replacing it on stack, which it does only for a
 * function stuck in one long call. Every slice of every isolate then times the same code: one
 * TurboFan compile per loop (--trace-opt), and its clean slices agree to 0.01 ns.
 */
function batchLoop(fn: () => unknown, calls: number, op: string): () => unknown {
  const name = `measure_${op.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const make = new Function(
    'fn',
    `function ${name}(n) { let r; for (let i = 0; i < n; i += 4) { r = fn(); r = fn(); r = fn(); r = fn(); } return r; }
    for (let k = 0; k < ${LOOP_WARMUP_CALLS}; k++) ${name}(64);
    return () => ${name}(${calls});`,
  );
  return make(fn) as () => unknown;
}

async function slice(loop: () => unknown, calls: number, minCpuMs: number): Promise<number[]> {
  const stats = await measure(loop, {
    gc: false,
    min_samples: 12, // mitata trims 2 + 2 outliers only above 12
    min_cpu_time: minCpuMs * 1e6,
    batch_threshold: -1, // one loop call per sample
    warmup_samples: 2,
    warmup_threshold: Infinity,
  });
  return stats.samples.map((ns) => ns / calls);
}

export async function microServer(data: MicroServerData, progress: (r: SliceResult) => void): Promise<string> {
  const ctrl = new Int32Array(data.ctrl);
  const heap = new NativeHeap(data.heapWords);
  const cpu = new NativeCpu(heap, new NativeRegistry(), { slot: 0 });
  const word = kzalloc(cpu, 16);
  let setupError: string | undefined;
  let fences: Fences | undefined;
  let world: ReturnType<typeof buildWorld> | undefined;
  if (data.variantFile !== null) {
    try {
      const cls = await loadVariantClass(data.variantFile);
      fences = new cls() as unknown as Fences;
      fences.dma_buf_init(cpu);
      world = buildWorld(cpu, fences);
    } catch (err) {
      setupError = `set-up failed: ${(err as Error).message}`;
    }
  }
  const bodyOf = (op: string): (() => unknown) => {
    if (op.startsWith('local:')) return floorBody(op.slice(6), cpu, word);
    if (data.variantFile === null) return floorBody(op, cpu, word);
    if (setupError !== undefined) throw new Error(setupError);
    return opBody(op, cpu, fences!, world!);
  };
  /** each operation's timed loop and its calls per sample, made at its first slice */
  const loops = new Map<string, { fn: () => unknown; calls: number }>();
  const loopOf = (op: string) => {
    let loop = loops.get(op);
    if (loop === undefined) {
      const fn = bodyOf(op);
      const calls = calibrate(fn, data.sampleMs * 1e6);
      loops.set(op, (loop = { fn: batchLoop(fn, calls, op), calls }));
    }
    return loop;
  };
  for (let seen = 0; ; ) {
    while (Atomics.load(ctrl, CTRL_SEQ) === seen) Atomics.wait(ctrl, CTRL_SEQ, seen, 1000);
    seen = Atomics.load(ctrl, CTRL_SEQ);
    const index = Atomics.load(ctrl, CTRL_OP);
    if (index < 0) return 'done';
    const op = data.ops[index]!;
    try {
      const loop = loopOf(op);
      progress({ seq: seen, op, samples: await slice(loop.fn, loop.calls, Atomics.load(ctrl, CTRL_MS)) });
    } catch (err) {
      progress({ seq: seen, op, samples: [], error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
}
