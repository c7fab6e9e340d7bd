// The benchmarks' GPU driver, as kernel code (cpu first, shared memory only through primitives;
// it runs only natively). Its ops table is the kernel selftests' mock (the two name callbacks,
// nothing else: no enable_signaling, no ->signaled, no ->release, so the core frees fences with
// kfree_rcu and, in designs that detach, the ops detach at signal).
//
// Per fence context (kernel-notes section 7; nouveau fctx, xe irq->lock):
//   lock       the context spinlock; in extern-lock designs every fence of the context points
//              at it, in inline-lock designs the fences bring their own and this lock only
//              guards the driver's pending ring
//   submitted  the newest seqno emitted (written under the lock)
//   completed  the newest seqno the interrupt handler signaled (written under the lock)
//   ring       the pending fences by seqno, RCU-published: the reference the ring holds is
//              dropped by the interrupt handler after it signals the fence
// Each hot word has a cache line of its own (a real driver packs them; here only the fence
// design should decide what is shared).
//
//   emit:  kzalloc + dma_fence_init; lock; ring[seqno] = fence; submitted = seqno; unlock
//   irq:   lock; for each completed seqno in order: signal (signal_locked when the fence lock is
//          the context lock), ring[seqno] = NULL, dma_fence_put; completed = seqno; unlock

import type { Cpu, LoadedModule, Ptr } from '../../src/kernel/cpu.ts';
import { NULL } from '../../src/kernel/cpu.ts';
import {
  READ_ONCE, RCU_INIT_POINTER, WRITE_ONCE, kfree, kzalloc, load, module_load, rcu_assign_pointer, rcu_read_lock,
  rcu_read_unlock, spin_lock_init, spin_lock_irqsave, spin_unlock_irqrestore,
} from '../../src/kernel/primitives.ts';
import { dma_fence, dma_fence_cb, dma_fence_ops } from '../../src/kernel/dma-fence.ts';
import { defineStruct } from '../../src/kernel/struct.ts';
import type { Fences } from '../../src/scenario.ts';

/** Pending fences a context can hold (a power of two, above any fences-per-context setting). */
export const RING = 1024;
const MASK = RING - 1;

const pad = (n: string) => Array.from({ length: 15 }, (_, i) => `${n}_pad${i}`);
export const bench_fctx = defineStruct('bench_fctx', 'bfctx', ['lock', ...pad('lock'), 'submitted', ...pad('submitted'), 'completed', ...pad('completed'), 'ring']);

/** A callback the adders hang on fences: the dma_fence_cb and the adder that owns it. */
export const bench_cb = defineStruct('bench_cb', 'bcb', [{ struct: dma_fence_cb, name: 'cb' }, 'owner']);

export interface BenchCtx {
  fctx: Ptr;
  lock: Ptr;
  ring: Ptr;
  context: number;
}

export interface BenchWorld {
  module: LoadedModule;
  ops: Ptr;
  ctxs: BenchCtx[];
  /** dma_fence_get_stub(): held for the whole run by the set-up */
  stub: Ptr;
  /** the adders' callback (records latency, frees the cb) */
  cbFunc: Ptr;
  /** a callback that does nothing (micro benchmarks) */
  noopCbFunc: Ptr;
  /** fences with their own (inline) lock: the context lock is not the fence lock */
  inline: boolean;
}

export interface BenchInitParams {
  contexts: number;
}

/**
 * What a worker does when a fence's callback runs (set per thread by the harness; the module's
 * callback is the same kernel function in every thread and calls whichever hook its thread set).
 */
export const benchHooks: { onCallback: (cpu: Cpu, fence: Ptr, cb: Ptr) => void } = {
  onCallback: (cpu, _fence, cb) => kfree(cpu, cb),
};

function isInline(fences: Fences): boolean {
  return (fences.constructor as { lockModel?: string }).lockModel === 'inline';
}

/** Set-up (main thread, replayed in every worker): the driver module and its fence contexts. */
export function bench_driver_init(cpu: Cpu, fences: Fences, params: BenchInitParams): BenchWorld {
  const world = {} as BenchWorld;
  world.module = module_load(cpu, {
    name: 'benchgpu',
    functions: {
      get_driver_name: (cpu: Cpu, _f: Ptr) => world.module.str['driver']!,
      get_timeline_name: (cpu: Cpu, _f: Ptr) => world.module.str['timeline']!,
      bench_cb: (cpu: Cpu, f: Ptr, cb: Ptr) => benchHooks.onCallback(cpu, f, cb),
      noop_cb: (_cpu: Cpu, _f: Ptr, _cb: Ptr) => undefined,
    },
    strings: { driver: 'benchgpu', timeline: 'benchgpu-timeline' },
    ops: { fence_ops: { struct: dma_fence_ops, fields: { get_driver_name: 'get_driver_name', get_timeline_name: 'get_timeline_name' } } },
  });
  world.ops = world.module.ops['fence_ops']!;
  world.cbFunc = world.module.fn['bench_cb']!;
  world.noopCbFunc = world.module.fn['noop_cb']!;
  world.inline = isInline(fences);
  world.ctxs = [];
  for (let i = 0; i < params.contexts; i++) {
    const fctx = kzalloc(cpu, bench_fctx);
    spin_lock_init(cpu, fctx + bench_fctx.lock);
    world.ctxs.push({ fctx, lock: fctx + bench_fctx.lock, ring: kzalloc(cpu, RING), context: fences.dma_fence_context_alloc(cpu, 1) });
  }
  world.stub = fences.dma_fence_get_stub(cpu);
  return world;
}

/** A fence of context `c`, initialised on the driver's ops and the right lock. */
export function bench_fence_create(cpu: Cpu, fences: Fences, w: BenchWorld, c: BenchCtx, seqno: number): Ptr {
  const f = kzalloc(cpu, dma_fence);
  fences.dma_fence_init(cpu, f, w.ops, w.inline ? NULL : c.lock, c.context, seqno);
  return f;
}

/** Emits fence `seqno` onto the context's pending ring (the ring takes the creation reference). */
export function bench_emit(cpu: Cpu, fences: Fences, w: BenchWorld, c: BenchCtx, seqno: number): Ptr {
  const f = bench_fence_create(cpu, fences, w, c, seqno);
  const flags = spin_lock_irqsave(cpu, c.lock);
  rcu_assign_pointer(cpu, c.ring + (seqno & MASK), f);
  WRITE_ONCE(cpu, c.fctx + bench_fctx.submitted, seqno);
  spin_unlock_irqrestore(cpu, c.lock, flags);
  return f;
}

/** The interrupt handler: signals every pending fence up to `upto`, in seqno order. Returns how many. */
export function bench_irq_handler(cpu: Cpu, fences: Fences, w: BenchWorld, c: BenchCtx, upto: number): number {
  const flags = spin_lock_irqsave(cpu, c.lock);
  const first = READ_ONCE(cpu, c.fctx + bench_fctx.completed);
  let seqno = first;
  while (seqno < upto) {
    seqno++;
    const slot = c.ring + (seqno & MASK);
    const f = load(cpu, slot);
    if (w.inline) fences.dma_fence_signal(cpu, f);
    else fences.dma_fence_signal_locked(cpu, f);
    RCU_INIT_POINTER(cpu, slot, NULL);
    fences.dma_fence_put(cpu, f);
  }
  WRITE_ONCE(cpu, c.fctx + bench_fctx.completed, seqno);
  spin_unlock_irqrestore(cpu, c.lock, flags);
  return seqno - first;
}

export function bench_submitted(cpu: Cpu, c: BenchCtx): number {
  return READ_ONCE(cpu, c.fctx + bench_fctx.submitted);
}

export function bench_completed(cpu: Cpu, c: BenchCtx): number {
  return READ_ONCE(cpu, c.fctx + bench_fctx.completed);
}

/** A reference to pending fence `seqno`, or NULL once it left the ring (dma_resv-style lookup). */
export function bench_get_pending(cpu: Cpu, fences: Fences, c: BenchCtx, seqno: number): Ptr {
  rcu_read_lock(cpu);
  const f = fences.dma_fence_get_rcu_safe(cpu, c.ring + (seqno & MASK));
  rcu_read_unlock(cpu);
  return f;
}

/** The seqno of a fence (for latency bookkeeping). */
export function bench_seqno(cpu: Cpu, f: Ptr): number {
  return load(cpu, f + dma_fence.seqno);
}
