// The objects the micro operations work on, as kernel code (so the native micro benchmarks and
// the timing model's one-CPU loops, bench/scale/roles.ts, build the same world).

import type { Cpu, Ptr } from '../../src/kernel/cpu.ts';
import { dma_fence_cb } from '../../src/kernel/dma-fence.ts';
import { kzalloc } from '../../src/kernel/primitives.ts';
import type { Fences } from '../../src/scenario.ts';
import { bench_driver_init, bench_fence_create, type BenchCtx, type BenchWorld } from '../irq-load/driver.ts';

/** The objects the operations work on, built once per design on the benchmark thread. */
export interface MicroWorld {
  world: BenchWorld;
  ctx: BenchCtx;
  signaled: Ptr;
  unsignaled: Ptr;
  cb: Ptr;
  cbFunc: Ptr;
  seq: number;
}

export function buildWorld(cpu: Cpu, fences: Fences): MicroWorld {
  const world = bench_driver_init(cpu, fences, { contexts: 1 });
  const ctx = world.ctxs[0]!;
  const signaled = bench_fence_create(cpu, fences, world, ctx, 1);
  fences.dma_fence_enable_sw_signaling(cpu, signaled);
  fences.dma_fence_signal(cpu, signaled);
  const unsignaled = bench_fence_create(cpu, fences, world, ctx, 2);
  return { world, ctx, signaled, unsignaled, cb: kzalloc(cpu, dma_fence_cb), cbFunc: world.noopCbFunc, seq: 3 };
}

