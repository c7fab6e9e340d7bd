// The micro-benchmarked operations: each API call of one design on one thread, timed by mitata,
// next to the bare-Atomics floors. `floor` names the floor row a figure is read against: reads
// against a bare Atomics.load loop, paths that take a lock or allocate against a bare
// compareExchange loop.

import type { Ptr } from '../../src/kernel/cpu.ts';
import { rcu_read_lock, rcu_read_unlock } from '../../src/kernel/primitives.ts';
import type { NativeCpu } from '../../src/native/cpu.ts';
import type { Fences } from '../../src/scenario.ts';
import { bench_fence_create } from '../irq-load/driver.ts';
import type { MicroWorld } from './world.ts';


export type FloorMetric = 'atomics-load' | 'atomics-cmpxchg';

export interface MicroOp {
  name: string;
  floor: FloorMetric;
  what: string;
  /** short, for report tables */
  label: string;
}

export const MICRO_OPS: readonly MicroOp[] = [
  { name: 'is_signaled-signaled', floor: 'atomics-load', what: 'dma_fence_is_signaled() on a signaled fence', label: 'is_signaled (signaled)' },
  { name: 'is_signaled-unsignaled', floor: 'atomics-load', what: 'dma_fence_is_signaled() on an unsignaled fence (no ->signaled op)', label: 'is_signaled (unsignaled)' },
  { name: 'test_signaled_flag', floor: 'atomics-load', what: 'dma_fence_test_signaled_flag() on a signaled fence', label: 'test_signaled_flag' },
  { name: 'signal-cycle', floor: 'atomics-cmpxchg', what: 'kzalloc + dma_fence_init, enable_sw_signaling, signal, put (kfree_rcu)', label: 'signal cycle' },
  { name: 'add_callback-signal', floor: 'atomics-cmpxchg', what: 'kzalloc + dma_fence_init, add_callback, signal (runs it), put', label: 'add_callback + signal' },
  { name: 'get_status', floor: 'atomics-cmpxchg', what: 'dma_fence_get_status() on a signaled fence', label: 'get_status' },
  { name: 'wait-signaled', floor: 'atomics-cmpxchg', what: 'dma_fence_wait(f, false) on a signaled fence', label: 'wait (signaled)' },
  { name: 'timestamp', floor: 'atomics-load', what: 'dma_fence_timestamp() on a signaled fence', label: 'timestamp' },
  { name: 'driver_name', floor: 'atomics-load', what: 'dma_fence_driver_name() under rcu_read_lock on an unsignaled fence', label: 'driver_name' },
];

/**
 * The floors: an empty call (mitata's dead-code reference), the two loops figures are read
 * against, and what the other primitives compile to (the README's primitive table quotes them).
 */
export const FLOOR_METRICS = ['noop', 'atomics-load', 'atomics-cmpxchg', 'atomics-store', 'atomics-or', 'atomics-add', 'ktime'] as const;

/** The loop body mitata times for `op`; each returns a value so nothing is dead code. */
export function opBody(op: string, cpu: NativeCpu, fences: Fences, w: MicroWorld): () => unknown {
  const { signaled, unsignaled, world, ctx, cb, cbFunc } = w;
  switch (op) {
    case 'is_signaled-signaled':
      return () => fences.dma_fence_is_signaled(cpu, signaled);
    case 'is_signaled-unsignaled':
      return () => fences.dma_fence_is_signaled(cpu, unsignaled);
    case 'test_signaled_flag':
      return () => fences.dma_fence_test_signaled_flag(cpu, signaled);
    case 'signal-cycle':
      return () => {
        const f = bench_fence_create(cpu, fences, world, ctx, w.seq++);
        fences.dma_fence_enable_sw_signaling(cpu, f);
        fences.dma_fence_signal(cpu, f);
        fences.dma_fence_put(cpu, f);
        cpu.rcu_qs();
        return f;
      };
    case 'add_callback-signal':
      return () => {
        const f = bench_fence_create(cpu, fences, world, ctx, w.seq++);
        const r = fences.dma_fence_add_callback(cpu, f, cb, cbFunc);
        fences.dma_fence_signal(cpu, f);
        fences.dma_fence_put(cpu, f);
        cpu.rcu_qs();
        return r;
      };
    case 'get_status':
      return () => fences.dma_fence_get_status(cpu, signaled);
    case 'wait-signaled':
      return () => fences.dma_fence_wait(cpu, signaled, false);
    case 'timestamp':
      return () => fences.dma_fence_timestamp(cpu, signaled);
    case 'driver_name':
      return () => {
        rcu_read_lock(cpu);
        const name = fences.dma_fence_driver_name(cpu, unsignaled);
        rcu_read_unlock(cpu);
        return name;
      };
    default:
      throw new Error(`unknown micro operation '${op}'; known: ${MICRO_OPS.map((o) => o.name).join(', ')}`);
  }
}

export function floorBody(metric: string, cpu: NativeCpu, word: Ptr): () => unknown {
  const m = cpu.m;
  switch (metric) {
    case 'noop':
      return () => undefined;
    case 'atomics-load':
      return () => Atomics.load(m, word);
    case 'atomics-cmpxchg':
      return () => Atomics.compareExchange(m, word, 0, 0);
    case 'atomics-store':
      return () => Atomics.store(m, word, 0);
    case 'atomics-or':
      return () => Atomics.or(m, word, 0);
    case 'atomics-add':
      return () => Atomics.add(m, word, 0);
    case 'ktime':
      return () => cpu.ktime_get();
    default:
      throw new Error(`unknown floor '${metric}'`);
  }
}
