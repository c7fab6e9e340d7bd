// The driver model scenarios build on: a module with an ops table, driver and timeline names,
// and a fence-context spinlock in its static data (the nouveau fctx->lock / xe irq->lock
// pattern of kernel-notes 4.a). Options pick the driver behaviours the races depend on.

import type { Cpu, LoadedModule, Ptr } from '../../src/kernel/cpu.ts';
import { NULL } from '../../src/kernel/cpu.ts';
import { kfree, kfree_rcu, kzalloc, module_load, spin_lock_init } from '../../src/kernel/primitives.ts';
import { dma_fence, dma_fence_ops, spinlock_t } from '../../src/kernel/dma-fence.ts';
import type { Fences } from '../../src/scenario.ts';

export interface MockDriverOptions {
  name?: string;
  /**
   * ops->release: 'kfree' frees at once (allowed before 7.1, a bug after), 'kfree_rcu' frees
   * RCU-safe; absent: no release op, so the core's dma_fence_free (kfree_rcu) runs.
   */
  release?: 'kfree' | 'kfree_rcu';
}

export interface MockDriver {
  module: LoadedModule;
  ops: Ptr;
  /** the fence context's shared spinlock */
  lock: Ptr;
  context: number;
}

export function mock_driver_load(cpu: Cpu, fences: Fences, opts: MockDriverOptions = {}): MockDriver {
  const name = opts.name ?? 'mock';
  const drv = {} as MockDriver;
  const functions = {
    get_driver_name: (cpu: Cpu, _f: Ptr) => drv.module.str['driver']!,
    get_timeline_name: (cpu: Cpu, _f: Ptr) => drv.module.str['timeline']!,
    release_kfree: (cpu: Cpu, f: Ptr) => kfree(cpu, f),
    release_kfree_rcu: (cpu: Cpu, f: Ptr) => kfree_rcu(cpu, f),
  };
  const release = opts.release === 'kfree' ? 'release_kfree' : opts.release === 'kfree_rcu' ? 'release_kfree_rcu' : 0;
  drv.module = module_load(cpu, {
    name,
    functions,
    strings: { driver: name, timeline: `${name}-timeline` },
    ops: {
      fence_ops: {
        struct: dma_fence_ops,
        fields: { get_driver_name: 'get_driver_name', get_timeline_name: 'get_timeline_name', release },
      },
    },
    data: { fence_lock: spinlock_t },
  });
  drv.ops = drv.module.ops['fence_ops']!;
  drv.lock = drv.module.data['fence_lock']!;
  spin_lock_init(cpu, drv.lock);
  drv.context = fences.dma_fence_context_alloc(cpu, 1);
  return drv;
}

/** kzalloc + dma_fence_init on the driver's ops, with its context lock or the fence's own. */
export function mock_fence(cpu: Cpu, fences: Fences, drv: MockDriver, seqno = 1): Ptr {
  const f = kzalloc(cpu, dma_fence);
  const lockModel = (fences.constructor as { lockModel?: string }).lockModel;
  fences.dma_fence_init(cpu, f, drv.ops, lockModel === 'inline' ? NULL : drv.lock, drv.context, seqno);
  return f;
}
