// One micro-benchmark job, run on a worker thread of its own so every design gets a fresh V8
// isolate: call sites inside the shared kernel code (primitives, list helpers) then only ever see
// one design class and the NativeCpu, and the order designs run in cannot change what the JIT
// does to the next one. The floors run in a job of their own the same way.

import { measure } from 'mitata';
import { NativeCpu } from '../../src/native/cpu.ts';
import { NativeHeap } from '../../src/native/heap.ts';
import { NativeRegistry } from '../../src/native/registry.ts';
import { loadVariantClass } from '../../src/native/variants.ts';
import { kzalloc } from '../../src/kernel/primitives.ts';
import type { Fences } from '../../src/scenario.ts';
import { buildWorld, floorBody, opBody } from './ops.ts';

export interface MicroJobData {
  /** null: measure the floors */
  variantFile: string | null;
  /** operation names, or floor metrics when variantFile is null */
  ops: string[];
  /** mitata's min_cpu_time per operation, ms */
  minCpuMs: number;
  /** time one sample (one batch of calls) should take, ms */
  sampleMs: number;
  heapWords: number;
}

export interface MicroMeasurement {
  /** an operation, a floor metric, or "local:<floor>" (a floor measured in this design's worker) */
  op: string;
  /** ns per call, one per batch, as mitata reports them (2 + 2 outliers trimmed) */
  samples: number[];
  /** calls per sample */
  batch: number;
  error?: string;
}

const now = () => performance.now() * 1e6;
const LOCAL_FLOORS = ['noop', 'atomics-load', 'atomics-cmpxchg'];

/**
 * Calls per sample so that a sample takes about `sampleNs` (a multiple of mitata's unroll, 4):
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

async function time(fn: () => unknown, data: MicroJobData): Promise<{ samples: number[]; batch: number }> {
  const batch = calibrate(fn, data.sampleMs * 1e6);
  const stats = await measure(fn, {
    gc: false,
    min_samples: 16, // >= 12 after mitata trims 2 + 2 outliers
    min_cpu_time: data.minCpuMs * 1e6,
    batch_samples: batch,
    batch_unroll: 4,
    batch_threshold: Infinity,
    warmup_samples: 2,
    warmup_threshold: Infinity,
  });
  return { samples: stats.samples, batch };
}

export async function microJob(data: MicroJobData): Promise<MicroMeasurement[]> {
  const heap = new NativeHeap(data.heapWords);
  const cpu = new NativeCpu(heap, new NativeRegistry(), { slot: 0 });
  const out: MicroMeasurement[] = [];
  if (data.variantFile === null) {
    const word = kzalloc(cpu, 16);
    for (const metric of data.ops) {
      try {
        out.push({ op: metric, ...(await time(floorBody(metric, cpu, word), data)) });
      } catch (err) {
        out.push({ op: metric, samples: [], batch: 0, error: (err as Error).message });
      }
    }
    return out;
  }
  const cls = await loadVariantClass(data.variantFile);
  const fences = new cls() as unknown as Fences;
  let world;
  try {
    fences.dma_buf_init(cpu);
    world = buildWorld(cpu, fences);
  } catch (err) {
    const error = `set-up failed: ${(err as Error).message}`;
    return data.ops.map((op) => ({ op, samples: [], batch: 0, error }));
  }
  // the floors again, in this isolate right before the operations: the below-floor guard compares
  // against these, so a floor measured while the machine was busier cannot flag a design
  const word = kzalloc(cpu, 16);
  for (const metric of LOCAL_FLOORS) {
    try {
      out.push({ op: `local:${metric}`, ...(await time(floorBody(metric, cpu, word), { ...data, minCpuMs: Math.min(50, data.minCpuMs) })) });
    } catch {
      // a floor that cannot be measured only weakens the guard
    }
  }
  for (const op of data.ops) {
    try {
      const fn = opBody(op, cpu, fences, world);
      out.push({ op, ...(await time(fn, data)) });
    } catch (err) {
      out.push({ op, samples: [], batch: 0, error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return out;
}
