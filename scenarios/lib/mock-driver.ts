// The driver model scenarios build on: a module with an ops table, driver and timeline names,
// a fence-context spinlock in its static data (the nouveau fctx->lock / xe irq->lock pattern of
// kernel-notes 4.a) and a "hardware" completed-seqno word. With no options it is the kernel
// selftests' mock (st-dma-fence.c: only the two name callbacks, so "the driver must always have
// signaling enabled" and, in designs that detach, the fence detaches at signal). Each option
// adds one driver behaviour a scenario depends on; every option is off unless asked for.
//
// The design under test decides two things a real driver would be written for:
//  - the lock: designs with static lockModel = 'inline' get NULL (dma_fence_init picks the
//    fence's own lock), the others the context lock;
//  - ops->enable_signaling's contract (static enableSignalingContract): 'locked-bool' (up to
//    7.1) is called with the fence lock held and returns false for a fence the hardware already
//    passed; 'unlocked-void' (June 2026 patches 09+10) is called without the lock and signals a
//    passed fence itself, under the fence lock it takes itself (as patch 10 converts drivers)
//    unless enable_signaling_takes_lock says otherwise.

import type { Cpu, LoadedModule, Ptr } from '../../src/kernel/cpu.ts';
import { NULL } from '../../src/kernel/cpu.ts';
import {
  READ_ONCE, WARN_ON, WRITE_ONCE, atomic_inc, kfree, kfree_rcu, kzalloc, load, module_load, smp_store_mb,
  spin_lock_init, test_and_set_bit, test_bit,
} from '../../src/kernel/primitives.ts';
import {
  DMA_FENCE_FLAG_SIGNALED_BIT, DMA_FENCE_FLAG_USER_BITS, dma_fence, dma_fence_cb, dma_fence_ops, spinlock_t,
} from '../../src/kernel/dma-fence.ts';
import { defineStruct } from '../../src/kernel/struct.ts';
import type { Fences } from '../../src/scenario.ts';

/** A driver-private fence flag: set by the mock's enable_signaling (a USER bit, as nouveau does). */
export const MOCK_FENCE_FLAG_ENABLED_BIT = DMA_FENCE_FLAG_USER_BITS;

/**
 * The selftests' struct simple_cb: a dma_fence_cb and a flag its callback sets with
 * smp_store_mb(); `calls` counts the callback's runs, so "exactly once" can be checked.
 */
export const simple_cb = defineStruct('simple_cb', 'simple_cb', [{ struct: dma_fence_cb, name: 'cb' }, 'seen', 'calls', 'error']);

export interface MockDriverOptions {
  /** module name, also the driver name; the timeline is "<name>-timeline" (default "mock") */
  name?: string;
  /**
   * ops->release: 'kfree' frees at once (allowed before 7.1, a bug after), 'kfree_rcu' frees
   * RCU-safe; absent: no release op, so the core's dma_fence_free (kfree_rcu) runs. A release
   * op also keeps the ops attached at signal in designs that detach.
   */
  release?: 'kfree' | 'kfree_rcu';
  /**
   * ops->enable_signaling. It sets MOCK_FENCE_FLAG_ENABLED_BIT and WARNs if that was set
   * already (the core must call it at most once per fence); under 'locked-bool' it also WARNs
   * if the fence is signaled (the core must not call it after it saw SIGNALED under the lock).
   * A fence the hardware passed (mock_hw_complete) is reported as passed, per the contract.
   */
  enable_signaling?: boolean;
  /**
   * Under 'unlocked-void' only: whether enable_signaling takes the fence lock around its body
   * (default true). false: it calls dma_fence_signal() for a passed fence and takes no lock.
   */
  enable_signaling_takes_lock?: boolean;
  /** ops->signaled: true once the hardware passed the fence's seqno. */
  signaled?: boolean;
}

export interface MockDriver {
  module: LoadedModule;
  ops: Ptr;
  /** the fence context's shared spinlock */
  lock: Ptr;
  context: number;
  /** the last seqno the hardware completed (module data), see mock_hw_complete */
  hw_seqno: Ptr;
  /** the selftests' simple_callback, for dma_fence_add_callback(f, &cb->cb, simple_callback) */
  simple_callback: Ptr;
  /** simple_callback that also records the fence's error as the callback sees it (simple_cb.error) */
  error_callback: Ptr;
}

/** The scenario-visible facts a design declares (statics of its class). */
export interface DesignFacts {
  lockModel: 'extern' | 'inline';
  detachesOps: boolean;
  enableSignalingContract: 'locked-bool' | 'unlocked-void';
}

export function design_of(fences: Fences): DesignFacts {
  const cls = fences.constructor as Partial<DesignFacts>;
  return {
    lockModel: cls.lockModel ?? 'extern',
    detachesOps: cls.detachesOps ?? false,
    enableSignalingContract: cls.enableSignalingContract ?? 'locked-bool',
  };
}

export function mock_driver_load(cpu: Cpu, fences: Fences, opts: MockDriverOptions = {}): MockDriver {
  const name = opts.name ?? 'mock';
  const design = design_of(fences);
  const takesLock = design.enableSignalingContract === 'unlocked-void' && opts.enable_signaling_takes_lock !== false;
  const drv = {} as MockDriver;
  const passed = (cpu: Cpu, f: Ptr): boolean => READ_ONCE(cpu, drv.hw_seqno) >= load(cpu, f + dma_fence.seqno);
  const functions = {
    get_driver_name: (cpu: Cpu, _f: Ptr) => drv.module.str['driver']!,
    get_timeline_name: (cpu: Cpu, _f: Ptr) => drv.module.str['timeline']!,
    release_kfree: (cpu: Cpu, f: Ptr) => kfree(cpu, f),
    release_kfree_rcu: (cpu: Cpu, f: Ptr) => kfree_rcu(cpu, f),
    signaled: (cpu: Cpu, f: Ptr): boolean => passed(cpu, f),
    // 'locked-bool': the fence lock is held, IRQs are off; false = "already passed".
    enable_signaling_locked: (cpu: Cpu, f: Ptr): boolean => {
      WARN_ON(cpu, test_and_set_bit(cpu, MOCK_FENCE_FLAG_ENABLED_BIT, f + dma_fence.flags), 'enable_signaling called twice for one fence');
      WARN_ON(cpu, test_bit(cpu, DMA_FENCE_FLAG_SIGNALED_BIT, f + dma_fence.flags), 'enable_signaling called for a signaled fence');
      return !passed(cpu, f);
    },
    // 'unlocked-void', as patch 10 converts drivers: the callback takes the fence lock itself.
    enable_signaling_unlocked: (cpu: Cpu, f: Ptr): boolean => {
      const irqflags = fences.dma_fence_lock_irqsave(cpu, f);
      WARN_ON(cpu, test_and_set_bit(cpu, MOCK_FENCE_FLAG_ENABLED_BIT, f + dma_fence.flags), 'enable_signaling called twice for one fence');
      if (passed(cpu, f)) fences.dma_fence_signal_locked(cpu, f);
      fences.dma_fence_unlock_irqrestore(cpu, f, irqflags);
      return true;
    },
    // 'unlocked-void' for a driver that needs no lock: signals a passed fence with the lock-taking call.
    enable_signaling_nolock: (cpu: Cpu, f: Ptr): boolean => {
      WARN_ON(cpu, test_and_set_bit(cpu, MOCK_FENCE_FLAG_ENABLED_BIT, f + dma_fence.flags), 'enable_signaling called twice for one fence');
      if (passed(cpu, f)) fences.dma_fence_signal(cpu, f);
      return true;
    },
    // st-dma-fence.c simple_callback, counting its runs.
    simple_callback: (cpu: Cpu, _f: Ptr, cb: Ptr) => {
      atomic_inc(cpu, cb - simple_cb.cb + simple_cb.calls);
      smp_store_mb(cpu, cb - simple_cb.cb + simple_cb.seen, 1);
    },
    // A callback that reads fence->error, as drivers' callbacks do (drm_sched reads f->error).
    error_callback: (cpu: Cpu, f: Ptr, cb: Ptr) => {
      atomic_inc(cpu, cb - simple_cb.cb + simple_cb.calls);
      WRITE_ONCE(cpu, cb - simple_cb.cb + simple_cb.error, load(cpu, f + dma_fence.error));
      smp_store_mb(cpu, cb - simple_cb.cb + simple_cb.seen, 1);
    },
  };
  const release = opts.release === 'kfree' ? 'release_kfree' : opts.release === 'kfree_rcu' ? 'release_kfree_rcu' : 0;
  const enable = !opts.enable_signaling
    ? 0
    : design.enableSignalingContract === 'locked-bool'
      ? 'enable_signaling_locked'
      : takesLock
        ? 'enable_signaling_unlocked'
        : 'enable_signaling_nolock';
  drv.module = module_load(cpu, {
    name,
    functions,
    strings: { driver: name, timeline: `${name}-timeline` },
    ops: {
      fence_ops: {
        struct: dma_fence_ops,
        fields: {
          get_driver_name: 'get_driver_name',
          get_timeline_name: 'get_timeline_name',
          enable_signaling: enable,
          signaled: opts.signaled ? 'signaled' : 0,
          release,
        },
      },
    },
    data: { fence_lock: spinlock_t, hw_seqno: 1 },
  });
  drv.ops = drv.module.ops['fence_ops']!;
  drv.lock = drv.module.data['fence_lock']!;
  drv.hw_seqno = drv.module.data['hw_seqno']!;
  drv.simple_callback = drv.module.fn['simple_callback']!;
  drv.error_callback = drv.module.fn['error_callback']!;
  spin_lock_init(cpu, drv.lock);
  drv.context = fences.dma_fence_context_alloc(cpu, 1);
  return drv;
}

/** kzalloc + dma_fence_init on the driver's ops, with its context lock or the fence's own. */
export function mock_fence(cpu: Cpu, fences: Fences, drv: MockDriver, seqno = 1): Ptr {
  const f = kzalloc(cpu, dma_fence);
  fences.dma_fence_init(cpu, f, drv.ops, design_of(fences).lockModel === 'inline' ? NULL : drv.lock, drv.context, seqno);
  return f;
}

/** The hardware finished everything up to `seqno` (what ops->signaled and enable_signaling read). */
export function mock_hw_complete(cpu: Cpu, drv: MockDriver, seqno: number): void {
  WRITE_ONCE(cpu, drv.hw_seqno, seqno);
}

/** The selftests' on-stack struct simple_cb, here kzalloc'ed: free it with kfree when done. */
export function simple_cb_alloc(cpu: Cpu): Ptr {
  return kzalloc(cpu, simple_cb);
}
